r"""Geometric augmentation on batches: flips, crops with padding, whole-pixel shifts and affine maps.

These transforms move pixels and never change their values (the bilinear resampling of :func:`affine`
aside). Each comes as a deterministic function of given per-sample parameters (:func:`flip`, :func:`crop`,
:func:`affine`) and a random one that draws them on the CPU and calls it (:func:`random_flip`,
:func:`random_crop`, :func:`random_affine`).

Examples
--------
>>> import torch
>>> x = torch.arange(2 * 1 * 2 * 3.0).reshape(2, 1, 2, 3)
>>> flip(x, torch.tensor([True, False]))[:, 0, 0]
tensor([[2., 1., 0.],
        [6., 7., 8.]])
>>> crop(x, torch.tensor([[1, 1], [0, 0]]), (2, 2), padding=1)[0, 0]
tensor([[0., 1.],
        [3., 4.]])
"""

from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F

from .._checks import (
    check_choice,
    check_nonnegative,
    check_number,
    check_positive_int,
    check_probability,
)
from .base import _check_range, _per_sample, _randint, _temporary, _uniform, check_batch

__all__ = [
    "flip",
    "random_flip",
    "crop",
    "random_crop",
    "translate",
    "affine_matrices",
    "affine_grid",
    "affine",
    "random_affine",
]


# --------------------------------------------------------------------------- flips
def _check_mask(mask, n: int, name: str, device) -> torch.Tensor:
    """``mask`` as a boolean tensor of shape ``(n,)`` on ``device``."""
    mask = torch.as_tensor(mask, dtype=torch.bool).to(device)
    if mask.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {tuple(mask.shape)}")
    return mask


def flip(x: torch.Tensor, mask: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Flip the images selected by the boolean ``mask`` (shape ``(N,)``) along ``dim``.

    A horizontal flip (``dim=-1``) maps pixel ``(i, j)`` to ``(i, W - 1 - j)``; a vertical flip
    (``dim=-2``) maps it to ``(H - 1 - i, j)``. Flipping twice is the identity.
    """
    x = check_batch(x)
    if dim not in (-1, -2, 2, 3):
        raise ValueError(f"dim must be -1 (horizontal) or -2 (vertical), got {dim}")
    mask = _check_mask(mask, len(x), "mask", x.device)
    # flip only the selected images (a `torch.where` over two full batches costs twice as much)
    selected = mask.nonzero().squeeze(1)
    return x.index_copy(0, selected, x.index_select(0, selected).flip(dim))


def random_flip(
    x: torch.Tensor, p: float = 0.5, *, direction: str = "horizontal", generator: torch.Generator | None = None
) -> torch.Tensor:
    """Flip each image independently with probability ``p``: ``mask_i ~ Bernoulli(p)``, then :func:`flip`."""
    x = check_batch(x)
    p = check_probability(p, "p")
    dim = {"horizontal": -1, "vertical": -2}[check_choice(direction, "direction", {"horizontal", "vertical"})]
    return flip(x, _flip_mask(len(x), p, generator), dim)


def _flip_mask(n: int, p: float, generator) -> torch.Tensor:
    """The images to flip, ``mask_i ~ Bernoulli(p)``, drawn on the CPU."""
    return torch.rand(n, generator=generator) < check_probability(p, "p")


# --------------------------------------------------------------------------- crops
def _padded_source(position: torch.Tensor, length: int, padding_mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Where a row (or column) ``position`` of the image padded by ``F.pad(mode=padding_mode)`` comes from.

    ``position`` is measured from the image's first row (negative inside the top padding). Returns the
    source row in the unpadded image and whether the position lies inside the image (constant padding
    fills the others). ``reflect`` mirrors about the border row without repeating it (−1 → 1),
    ``replicate`` repeats the border row.
    """
    inside = (position >= 0) & (position < length)
    if padding_mode == "reflect":
        position = position.abs()
        position = torch.where(position > length - 1, 2 * (length - 1) - position, position)
    return position.clamp(0, length - 1), inside


def crop(
    x: torch.Tensor,
    offsets: torch.Tensor,
    size: tuple[int, int] | None = None,
    *,
    padding: int = 0,
    padding_mode: str = "constant",
    fill: float = 0.0,
    hflip: torch.Tensor | None = None,
    vflip: torch.Tensor | None = None,
    out: torch.Tensor | None = None,
) -> torch.Tensor:
    """Pad each image by ``padding`` pixels, then cut a ``size = (h, w)`` window whose top-left corner is
    ``offsets[i] = (top, left)`` in the padded image:

    .. math:: \\text{out}_i[c, r, s] = \\text{pad}(x)_i[c,\\ \\text{top}_i + r,\\ \\text{left}_i + s].

    All windows are gathered at once with one ``torch.gather`` (no loop over images), and the padded
    image is never built: each window row and column is mapped back to its source in ``x``.
    ``padding_mode`` is ``"constant"`` (value ``fill``), ``"reflect"`` (mirror without repeating the border;
    ``padding`` must be smaller than the image) or ``"replicate"``.

    ``hflip`` and ``vflip`` are optional boolean masks ``(N,)``: the images they select are flipped
    left-right (up-down) *before* they are padded and cropped, in the same gather (pixel ``(i, j)`` of a
    flipped image is ``(i, W - 1 - j)`` of ``x``), which is how :class:`Compose` fuses flips with a crop.
    The windows are written into ``out`` if it is given (a contiguous ``(N, C, h, w)`` tensor like ``x``).
    """
    x = check_batch(x)
    n, _, height, width = x.shape
    checked = _check_crop((height, width), size, padding, padding_mode, fill)
    (h, w), fill = checked["size"] or (height, width), checked["fill"]
    offsets = torch.as_tensor(offsets).long().to(x.device)
    if offsets.shape != (n, 2):
        raise ValueError(f"offsets must have shape ({n}, 2), got {tuple(offsets.shape)}")
    rows = offsets[:, :1] + torch.arange(h, device=x.device)  # (N, h), in padded coordinates
    cols = offsets[:, 1:] + torch.arange(w, device=x.device)  # (N, w)
    if rows.min() < 0 or cols.min() < 0 or rows.max() >= height + 2 * padding or cols.max() >= width + 2 * padding:
        raise ValueError("offsets place a window outside the padded image")
    # The padded image is never built: each output row and column is mapped to its source in x,
    # and one gather with a flat index per output pixel (shared by all channels) reads them.
    source_rows, rows_inside = _padded_source(rows - padding, height, padding_mode)
    source_cols, cols_inside = _padded_source(cols - padding, width, padding_mode)
    if hflip is not None:
        hflip = _check_mask(hflip, n, "hflip", x.device)[:, None]
        source_cols = torch.where(hflip, width - 1 - source_cols, source_cols)
    if vflip is not None:
        vflip = _check_mask(vflip, n, "vflip", x.device)[:, None]
        source_rows = torch.where(vflip, height - 1 - source_rows, source_rows)
    index = torch.add(
        (source_rows * width)[:, :, None],
        source_cols[:, None, :],
        out=_temporary("crop index", (n, h, w), x, torch.long),
    ).reshape(n, 1, h * w)
    index = index.expand(n, x.shape[1], h * w)
    if out is None:
        out = x.flatten(2).gather(2, index).reshape(n, x.shape[1], h, w)
    elif (
        isinstance(out, torch.Tensor)
        and out.is_contiguous()
        and out.shape == (n, x.shape[1], h, w)
        and (out.dtype, out.device) == (x.dtype, x.device)
    ):
        torch.gather(x.flatten(2), 2, index, out=out.view(n, x.shape[1], h * w))
    else:
        raise ValueError(f"out must be a contiguous tensor of shape {(n, x.shape[1], h, w)} like x")
    if padding_mode == "constant" and padding > 0:
        outside = ~(rows_inside[:, :, None] & cols_inside[:, None, :])
        out.masked_fill_(outside[:, None], fill)
    return out


def random_crop(
    x: torch.Tensor,
    padding: int = 0,
    size: tuple[int, int] | None = None,
    *,
    padding_mode: str = "constant",
    fill: float = 0.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Random crop with padding: pad by ``padding``, then take a window of ``size`` (default: the input's
    size) at an offset drawn uniformly for each image, ``top ~ U{0, …, H + 2p − h}``, ``left`` alike."""
    x = check_batch(x)
    offsets = _crop_offsets(len(x), tuple(x.shape[2:]), padding, size, generator)
    return crop(x, offsets, size, padding=padding, padding_mode=padding_mode, fill=fill)


def _crop_offsets(
    n: int, image_size: tuple[int, int], padding: int, size: tuple[int, int] | None, generator
) -> torch.Tensor:
    """The ``(n, 2)`` window corners ``(top, left)`` of :func:`random_crop`, drawn on the CPU (tops first)."""
    if isinstance(padding, bool) or not isinstance(padding, numbers.Integral) or padding < 0:
        raise ValueError(f"padding must be an int >= 0, got {padding!r}")
    height, width = image_size
    h, w = (height, width) if size is None else size
    top = _randint(n, max(height + 2 * padding - h, 0), generator, "cpu")
    left = _randint(n, max(width + 2 * padding - w, 0), generator, "cpu")
    return torch.stack([top, left], 1)


def translate(x: torch.Tensor, dy: int, dx: int, *, fill: float = 0.0) -> torch.Tensor:
    """Shift every image by whole pixels (``dy`` down, ``dx`` right), filling the uncovered border with
    ``fill``: a :func:`crop` of the image padded by ``max(|dy|, |dx|)``."""
    pad = max(abs(int(dy)), abs(int(dx)))
    offsets = torch.tensor([[pad - int(dy), pad - int(dx)]]).expand(len(check_batch(x)), 2)
    return crop(x, offsets, padding=pad, fill=fill)


def _check_crop(image_size: tuple[int, int], size, padding: int, padding_mode: str, fill) -> dict:
    """The arguments of a :func:`crop` of ``image_size`` images, checked (``crop`` and a fused
    :class:`Compose` both check them here)."""
    if isinstance(padding, bool) or not isinstance(padding, numbers.Integral) or padding < 0:
        raise ValueError(f"padding must be an int >= 0, got {padding!r}")
    check_choice(padding_mode, "padding_mode", {"constant", "reflect", "replicate"})
    fill = check_number(fill, "fill")
    height, width = image_size
    if size is not None:
        size = (check_positive_int(size[0], "size[0]"), check_positive_int(size[1], "size[1]"))
    h, w = size or image_size
    if h > height + 2 * padding or w > width + 2 * padding:
        raise ValueError(f"size {(h, w)} is larger than the padded image {(height + 2 * padding, width + 2 * padding)}")
    if padding_mode == "reflect" and padding >= min(height, width):
        raise ValueError(f"reflect padding must be smaller than the image, got padding={padding} for {height}×{width}")
    return {"size": size, "padding": padding, "padding_mode": padding_mode, "fill": fill}


# --------------------------------------------------------------------------- affine
def affine_matrices(angle, translate=0.0, scale=1.0, shear=0.0, *, size: tuple[int, int]) -> torch.Tensor:
    """The ``(N, 2, 3)`` matrices ``θ`` for ``F.affine_grid`` that rotate by ``angle`` degrees
    (counter-clockwise on screen), shear along x by ``shear`` degrees, scale by ``scale`` and shift by
    ``translate = (tx, ty)`` (fractions of the width and height; each a number or ``(N,)``).

    In centred pixel coordinates the forward map is :math:`p' = A p + t` with
    :math:`A = R(\\text{angle})\\,S_h(\\text{shear})\\,s I`. ``affine_grid`` needs the inverse map in the
    normalised coordinates of ``align_corners=False`` (:math:`n = D^{-1}p`, :math:`D = \\mathrm{diag}(W/2, H/2)`):

    .. math:: \\theta = \\big[\\, D^{-1} A^{-1} D \\;\\big|\\; -D^{-1} A^{-1} t \\,\\big].
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
    value ``fill``."""
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
    (fractions of the size), scale ~ U(scale), shear ~ U(−shear, shear) degrees; then :func:`affine`."""
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
    tx, ty = _check_range(translate, "translate", low=0.0)
    lo, hi = _check_range(scale, "scale", low=0.0)
    if lo <= 0:
        raise ValueError(f"scale must be > 0, got {scale!r}")

    def draw(low, high):
        return _uniform(n, low, high, generator, "cpu", torch.float64)

    angle, dx, dy, s, sh = draw(-degrees, degrees), draw(-tx, tx), draw(-ty, ty), draw(lo, hi), draw(-shear, shear)
    return affine_matrices(angle, (dx, dy), s, sh, size=size)
