r"""Affine augmentation: rotations, shears, scalings and shifts as the matrices ``θ`` of ``F.affine_grid``
(:func:`affine_matrices`), the batch resampled through them (:func:`affine`, bilinear by default), and
:func:`random_affine`, which draws one map per image on the CPU.

Examples
--------
>>> import torch
>>> x = torch.arange(4.0).reshape(1, 1, 2, 2)
>>> affine(x, affine_matrices(90.0, size=(2, 2)))[0, 0]  # a quarter turn counter-clockwise
tensor([[1., 3.],
        [0., 2.]])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .._checks import check_nonnegative, check_number
from .base import _check_range, _per_sample, _temporary, _uniform, check_batch

__all__ = [
    "affine_matrices",
    "affine_grid",
    "affine",
    "random_affine",
]


# --------------------------------------------------------------------------- affine
def affine_matrices(angle, translate=0.0, scale=1.0, shear=0.0, *, size: tuple[int, int]) -> torch.Tensor:
    """The ``(N, 2, 3)`` matrices ``θ`` for ``F.affine_grid`` that rotate by ``angle`` degrees
    (counter-clockwise on screen), shear along x by ``shear`` degrees, scale by ``scale`` and shift by
    ``translate = (tx, ty)`` (fractions of the width and height; each a number or ``(N,)``).

    In centred pixel coordinates the forward map is :math:`p' = A p + t` with
    :math:`A = R(\\text{angle})\\,S_h(\\text{shear})\\,s I`. ``affine_grid`` needs the inverse map in the
    normalised coordinates of ``align_corners=False`` (:math:`n = D^{-1}p`, :math:`D = \\mathrm{diag}(W/2, H/2)`):

    .. math:: \\theta = \\big[\\, D^{-1} A^{-1} D \\;\\big|\\; -D^{-1} A^{-1} t \\,\\big].

    Parameters
    ----------
    angle : float or torch.Tensor
        Rotation in degrees, a number or shape ``(N,)``; its length sets ``N`` (a number gives ``N = 1``).
    translate : float or tuple, default 0.0
        ``(tx, ty)``, the shift as fractions of the width and height, each a number or ``(N,)``; a single
        number shifts by it along both axes.
    scale : float or torch.Tensor, default 1.0
        Scale factor, a number or ``(N,)``; must be ``> 0``.
    shear : float or torch.Tensor, default 0.0
        Shear along x in degrees, a number or ``(N,)``.
    size : tuple of (int, int)
        The image size ``(H, W)``.

    Returns
    -------
    torch.Tensor
        The matrices ``θ``, shape ``(N, 2, 3)``, float64 on the CPU.
    """
    height, width = size
    angle = torch.as_tensor(angle, dtype=torch.float64).reshape(-1)
    n = len(angle)
    if isinstance(translate, (tuple, list)):
        tx, ty = translate
    else:
        tx = ty = translate
    tx, ty, scale, shear = (
        _per_sample(v, n, name, "cpu", torch.float64)
        for v, name in ((tx, "translate[0]"), (ty, "translate[1]"), (scale, "scale"), (shear, "shear"))
    )
    if (scale <= 0).any():
        raise ValueError("scale must be > 0")
    a = torch.deg2rad(-angle)  # the y axis points down, so a counter-clockwise turn on screen is -angle
    rotation = torch.stack([torch.stack([a.cos(), -a.sin()], -1), torch.stack([a.sin(), a.cos()], -1)], -2)
    shearing = torch.eye(2, dtype=torch.float64).repeat(n, 1, 1)
    shearing[:, 0, 1] = torch.tan(torch.deg2rad(shear))
    forward = rotation @ shearing * scale[:, None, None]
    inverse = torch.linalg.inv(forward)
    d = torch.tensor([width / 2, height / 2], dtype=torch.float64)
    t = torch.stack([tx * width, ty * height], -1)
    linear = inverse * d[None, None, :] / d[None, :, None]  # D^{-1} A^{-1} D
    shift = -(inverse @ t[:, :, None])[:, :, 0] / d  # -D^{-1} A^{-1} t
    return torch.cat([linear, shift[:, :, None]], dim=2)


def affine_grid(theta: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """The ``(N, H, W, 2)`` sampling grid of ``F.affine_grid(theta, (N, C, H, W), align_corners=False)``.

    Output pixel ``(i, j)`` has normalised centre :math:`u_j = (2j + 1)/W - 1`, :math:`v_i = (2i + 1)/H - 1`
    and samples the input at :math:`\\theta\\,[u_j, v_i, 1]^\\top`. That is a column term plus a row term,

    .. math:: \\text{grid}[n, i, j] = \\theta_{n,:,0}\\,u_j + \\big(\\theta_{n,:,1}\\,v_i + \\theta_{n,:,2}\\big),

    so the grid is one broadcast addition of an ``(N, 2, 1, W)`` and an ``(N, 2, H, 1)`` tensor instead of a
    batched matrix product over all ``H·W`` points. The sum is laid out as two planes ``(N, 2, H, W)`` (rows of
    ``W`` contiguous values, which a CPU adds in vector registers, where an innermost axis of 2 would not) and
    returned as the permuted view ``(N, H, W, 2)``; ``F.grid_sample`` reads it as it is.

    Parameters
    ----------
    theta : torch.Tensor
        Floating-point matrices of shape ``(N, 2, 3)`` (from :func:`affine_matrices`).
    size : tuple of (int, int)
        The output size ``(H, W)``.

    Returns
    -------
    torch.Tensor
        The sampling grid, shape ``(N, H, W, 2)`` (a permuted view), with ``theta``'s dtype and device.
    """
    columns, rows = _grid_terms(theta, size)
    planes = torch.add(columns, rows, out=_temporary("grid", (len(theta), 2, *size), theta))
    return planes.permute(0, 2, 3, 1)


def _grid_terms(theta: torch.Tensor, size: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """The column term ``(N, 2, 1, W)`` and the row term ``(N, 2, H, 1)`` whose sum is :func:`affine_grid`."""
    height, width = size
    u = (torch.arange(width, dtype=theta.dtype, device=theta.device) * 2 + 1) / width - 1
    v = (torch.arange(height, dtype=theta.dtype, device=theta.device) * 2 + 1) / height - 1
    return theta[:, :, 0, None, None] * u, theta[:, :, 1, None, None] * v[:, None] + theta[:, :, 2, None, None]


def affine(x: torch.Tensor, theta: torch.Tensor, *, fill: float = 0.0, mode: str = "bilinear") -> torch.Tensor:
    """Resample each image through its ``θ`` (see :func:`affine_matrices`) with :func:`affine_grid` (the grid of
    ``F.affine_grid``) and ``F.grid_sample`` (``align_corners=False``); points that fall outside the image take the
    value ``fill``.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    theta : torch.Tensor
        The matrices, shape ``(N, 2, 3)``; converted to ``x``'s dtype and device.
    fill : float, default 0.0
        The value of points that fall outside the image.
    mode : {"bilinear", "nearest", "bicubic"}, default "bilinear"
        The interpolation of ``F.grid_sample``.

    Returns
    -------
    torch.Tensor
        The resampled batch, shape ``(N, C, H, W)``.
    """
    x = check_batch(x)
    fill = check_number(fill, "fill")
    theta = torch.as_tensor(theta).to(x.device, x.dtype)
    if theta.shape != (len(x), 2, 3):
        raise ValueError(f"theta must have shape ({len(x)}, 2, 3), got {tuple(theta.shape)}")
    grid = affine_grid(theta, tuple(x.shape[2:]))
    if fill == 0:
        return F.grid_sample(x, grid, mode=mode, padding_mode="zeros", align_corners=False)
    return F.grid_sample(x - fill, grid, mode=mode, padding_mode="zeros", align_corners=False) + fill


def random_affine(
    x: torch.Tensor,
    degrees: float = 0.0,
    translate: tuple[float, float] = (0.0, 0.0),
    scale: tuple[float, float] = (1.0, 1.0),
    shear: float = 0.0,
    *,
    fill: float = 0.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Random affine transform per image: angle ~ U(−degrees, degrees), shifts ~ U(−translate, translate)
    (fractions of the size), scale ~ U(scale), shear ~ U(−shear, shear) degrees; then :func:`affine`.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    degrees : float, default 0.0
        Largest rotation in degrees, ``>= 0``.
    translate : tuple of (float, float), default (0.0, 0.0)
        ``(tx, ty)``: the largest shifts along x and y, as fractions of the width and height; the shifts are
        drawn from ``U(-tx, tx)`` and ``U(-ty, ty)``. Each must be ``>= 0``; they are independent (``tx > ty`` is
        fine).
    scale : tuple of (float, float), default (1.0, 1.0)
        ``(lo, hi)`` with ``0 < lo <= hi``: the scale is drawn from ``U(lo, hi)``.
    shear : float, default 0.0
        Largest shear along x in degrees, ``>= 0``.
    fill : float, default 0.0
        The value of points that fall outside the image.
    generator : torch.Generator, optional
        CPU generator of the draws (angles, x shifts, y shifts, scales, shears, in that order); ``None``
        uses torch's default generator.

    Returns
    -------
    torch.Tensor
        The transformed batch, shape ``(N, C, H, W)``.
    """
    x = check_batch(x)
    theta = _affine_thetas(len(x), degrees, translate, scale, shear, tuple(x.shape[2:]), generator)
    return affine(x, theta, fill=fill)


def _affine_thetas(
    n: int,
    degrees: float,
    translate: tuple[float, float],
    scale: tuple[float, float],
    shear: float,
    size: tuple[int, int],
    generator,
) -> torch.Tensor:
    """The ``(n, 2, 3)`` matrices of :func:`random_affine`, drawn on the CPU: angles, shifts, scales, shears."""
    degrees, shear = check_nonnegative(degrees, "degrees"), check_nonnegative(shear, "shear")
    if not (isinstance(translate, (tuple, list)) and len(translate) == 2):
        raise TypeError(f"translate must be a pair (tx, ty) of largest shifts, got {translate!r}")
    # two independent maxima (x and y), not a range: (0.2, 0.1) is a valid choice
    tx, ty = check_nonnegative(translate[0], "translate[0]"), check_nonnegative(translate[1], "translate[1]")
    lo, hi = _check_range(scale, "scale", low=0.0)
    if lo <= 0:
        raise ValueError(f"scale must be > 0, got {scale!r}")

    def draw(low, high):
        return _uniform(n, low, high, generator, "cpu", torch.float64)

    angle, dx, dy, s, sh = draw(-degrees, degrees), draw(-tx, tx), draw(-ty, ty), draw(lo, hi), draw(-shear, shear)
    return affine_matrices(angle, (dx, dy), s, sh, size=size)
