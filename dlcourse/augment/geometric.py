r"""Geometric augmentation by whole pixels: flips, crops with padding and whole-pixel shifts.

These transforms move pixels and never change their values. Each comes as a deterministic function of given
per-sample parameters (:func:`flip`, :func:`crop`) and a random one that draws them on the CPU and calls it
(:func:`random_flip`, :func:`random_crop`). The affine maps, which resample, are in ``affine_maps``.

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

from .._checks import (
    check_choice,
    check_number,
    check_positive_int,
    check_probability,
)
from .base import _randint, _temporary, check_batch

__all__ = [
    "flip",
    "random_flip",
    "crop",
    "random_crop",
    "translate",
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

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    mask : torch.Tensor
        Boolean mask of shape ``(N,)``: the images to flip.
    dim : int, default -1
        ``-1`` (or ``3``) flips left-right, ``-2`` (or ``2``) upside down; any other value raises ``ValueError``.

    Returns
    -------
    torch.Tensor
        A new batch, shape ``(N, C, H, W)``, with the selected images flipped and the others copied.
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
    """Flip each image independently with probability ``p``: ``mask_i ~ Bernoulli(p)``, then :func:`flip`.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    p : float, default 0.5
        Probability of flipping each image, in ``[0, 1]``.
    direction : {"horizontal", "vertical"}, default "horizontal"
        Left-right or upside-down flips.
    generator : torch.Generator, optional
        CPU generator the mask is drawn from; ``None`` uses torch's default generator.

    Returns
    -------
    torch.Tensor
        The batch with the drawn images flipped, shape ``(N, C, H, W)``.
    """
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

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    offsets : torch.Tensor
        Integer window corners ``(top, left)`` in the padded image, shape ``(N, 2)``; every window must lie
        inside the padded image (else ``ValueError``).
    size : tuple of (int, int), optional
        The window ``(h, w)``, each ``>= 1`` and at most the padded size; ``None`` (the default) keeps
        ``(H, W)``.
    padding : int, default 0
        Pixels of padding on each side, an int ``>= 0``; ``"reflect"`` needs ``padding < min(H, W)``.
    padding_mode : {"constant", "reflect", "replicate"}, default "constant"
        How the padding is filled.
    fill : float, default 0.0
        The value of constant padding.
    hflip : torch.Tensor, optional
        Boolean mask ``(N,)`` of the images to flip left-right before padding and cropping.
    vflip : torch.Tensor, optional
        Boolean mask ``(N,)`` of the images to flip upside down before padding and cropping.
    out : torch.Tensor, optional
        Contiguous tensor of shape ``(N, C, h, w)`` with ``x``'s dtype and device to write the windows into
        (anything else raises ``ValueError``); ``None`` (the default) allocates a new one.

    Returns
    -------
    torch.Tensor
        The windows, shape ``(N, C, h, w)`` (``out`` itself if it was given).
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
    size) at an offset drawn uniformly for each image, ``top ~ U{0, …, H + 2p − h}``, ``left`` alike.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    padding : int, default 0
        Pixels of padding on each side, an int ``>= 0``.
    size : tuple of (int, int), optional
        The window ``(h, w)``, at most the padded size; ``None`` (the default) keeps ``(H, W)``.
    padding_mode : {"constant", "reflect", "replicate"}, default "constant"
        How the padding is filled (see :func:`crop`).
    fill : float, default 0.0
        The value of constant padding.
    generator : torch.Generator, optional
        CPU generator the offsets are drawn from (tops, then lefts); ``None`` uses torch's default generator.

    Returns
    -------
    torch.Tensor
        The crops, shape ``(N, C, h, w)``.
    """
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
    ``fill``: a :func:`crop` of the image padded by ``max(|dy|, |dx|)``.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    dy : int
        Pixels to shift down (negative: up).
    dx : int
        Pixels to shift right (negative: left).
    fill : float, default 0.0
        The value of the uncovered pixels.

    Returns
    -------
    torch.Tensor
        The shifted batch, shape ``(N, C, H, W)``.
    """
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
