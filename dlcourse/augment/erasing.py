"""Cutout on batches: a square of each image set to a constant (DeVries & Taylor, 2017).

:func:`cutout` fills squares at given centres; :func:`random_cutout` draws the centres on the CPU and
calls it.

Examples
--------
>>> import torch
>>> cutout(torch.ones(1, 1, 4, 4), torch.tensor([[1, 1]]), 2)[0, 0]
tensor([[0., 0., 1., 1.],
        [0., 0., 1., 1.],
        [1., 1., 1., 1.],
        [1., 1., 1., 1.]])
"""

from __future__ import annotations

import torch

from .._checks import check_bool, check_number, check_positive_int
from .base import _randint, check_batch

__all__ = ["cutout", "random_cutout"]


# --------------------------------------------------------------------------- cutout
def cutout(
    x: torch.Tensor, centres: torch.Tensor, size: int, *, fill: float = 0.0, inplace: bool = False
) -> torch.Tensor:
    """Cutout: set a ``size × size`` square centred on ``centres[i] = (row, col)`` to ``fill``; the square is
    clipped at the border, so it may be smaller near an edge (DeVries & Taylor, 2017). With ``inplace=True``
    the squares are written into ``x`` itself (no copy of the batch).

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    centres : torch.Tensor
        Integer square centres ``(row, col)``, shape ``(N, 2)``; a square that misses the image changes nothing.
    size : int
        Side of the square in pixels, ``>= 1``; the square spans rows ``row - size // 2`` to
        ``row - size // 2 + size - 1`` (columns alike).
    fill : float, default 0.0
        The value written into the squares (all channels).
    inplace : bool, default False
        Write into ``x`` instead of a copy.

    Returns
    -------
    torch.Tensor
        The batch with the squares filled, shape ``(N, C, H, W)`` (``x`` itself if ``inplace=True``).
    """
    x = check_batch(x)
    size = check_positive_int(size, "size")
    fill = check_number(fill, "fill")
    centres = torch.as_tensor(centres).long().to(x.device)
    if centres.shape != (len(x), 2):
        raise ValueError(f"centres must have shape ({len(x)}, 2), got {tuple(centres.shape)}")
    top, left = centres[:, 0] - size // 2, centres[:, 1] - size // 2
    height, width = x.shape[2:]
    # Index only the square's pixels (not a mask over the whole batch). Clamping a row or column
    # that lies outside the image onto the border repeats a border pixel that is inside the square,
    # as long as the square overlaps the image at all, so squares that do not overlap are left out.
    overlaps = (top < height) & (top + size > 0) & (left < width) & (left + size > 0)
    images = overlaps.nonzero().squeeze(1)
    offsets = torch.arange(size, device=x.device)
    rows = (top[images, None] + offsets).clamp(0, height - 1)
    cols = (left[images, None] + offsets).clamp(0, width - 1)
    out = x if check_bool(inplace, "inplace") else x.clone()
    out[images[:, None, None], :, rows[:, :, None], cols[:, None, :]] = fill
    return out


def random_cutout(
    x: torch.Tensor, size: int, *, fill: float = 0.0, inplace: bool = False, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Cutout at a centre drawn uniformly over the image for each sample (see :func:`cutout`).

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    size : int
        Side of the square in pixels, ``>= 1``.
    fill : float, default 0.0
        The value written into the squares.
    inplace : bool, default False
        Write into ``x`` instead of a copy.
    generator : torch.Generator, optional
        CPU generator the centres are drawn from (rows, then columns); ``None`` uses torch's default generator.

    Returns
    -------
    torch.Tensor
        The batch with one square per image filled, shape ``(N, C, H, W)``.
    """
    x = check_batch(x)
    return cutout(x, _cutout_centres(len(x), tuple(x.shape[2:]), generator), size, fill=fill, inplace=inplace)


def _cutout_centres(n: int, image_size: tuple[int, int], generator) -> torch.Tensor:
    """The ``(n, 2)`` square centres of :func:`random_cutout`, uniform over the image, drawn on the CPU (rows first)."""
    height, width = image_size
    return torch.stack([_randint(n, height - 1, generator, "cpu"), _randint(n, width - 1, generator, "cpu")], 1)
