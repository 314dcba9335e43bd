"""Data augmentation written on tensors: batched, on any device, with per-sample random parameters.

Every transform works on a batch ``x`` of shape ``(N, C, H, W)`` and keeps its shape, dtype and
device. Each random transform is split in two:

* a **deterministic** function that applies given per-sample parameters (:func:`flip`,
  :func:`crop`, :func:`adjust_colour`, :func:`affine`, :func:`cutout`, :func:`mix`,
  :func:`paste_boxes`) — this is the part to read and to test;
* a **random** function that draws those parameters on the CPU from a ``torch.Generator``,
  moves them to the batch's device and calls the deterministic one (:func:`random_flip`,
  :func:`random_crop`, :func:`color_jitter`, :func:`random_affine`, :func:`random_cutout`,
  :func:`mixup`, :func:`cutmix`). The same generator seed gives the same batch on any device.

The classes (:class:`RandomHorizontalFlip`, :class:`RandomCrop`, …, :class:`Compose`,
:class:`RandomApply`) wrap the random functions with fixed parameters. They are called as
``t(x)`` or ``t(x, y)``; with targets they return ``(x, y)``, which is what
:func:`dlcourse.training.fit`'s ``transform`` argument expects. :class:`Mixup` and
:class:`CutMix` change the targets into soft ones (probability vectors), which
``F.cross_entropy`` accepts directly.

Examples
--------
>>> import torch
>>> from dlcourse.runtime import make_generator
>>> x = torch.arange(2 * 1 * 2 * 3.0).reshape(2, 1, 2, 3)
>>> flip(x, torch.tensor([True, False]))[:, 0, 0]
tensor([[2., 1., 0.],
        [6., 7., 8.]])
>>> t = Compose([RandomHorizontalFlip(p=0.5), RandomCrop(padding=1)], generator=make_generator(0))
>>> t(x).shape
torch.Size([2, 1, 2, 3])
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import threading
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ._checks import (
    check_bool,
    check_choice,
    check_nonnegative,
    check_number,
    check_positive,
    check_positive_int,
    check_probability,
    check_tensor,
)

__all__ = [
    "flip", "random_flip", "crop", "random_crop", "translate", "adjust_colour", "color_jitter",
    "affine_matrices", "affine_grid", "affine", "random_affine", "cutout", "random_cutout", "mix", "mixup",
    "cutmix_boxes", "paste_boxes", "cutmix", "tta_predict",
    "Transform", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "ColorJitter",
    "RandomAffine", "Cutout", "Mixup", "CutMix", "Compose", "RandomApply",
]


# --------------------------------------------------------------------------- checks and draws
def check_batch(x, name: str = "x") -> torch.Tensor:
    """Return ``x`` if it is a floating-point batch of images ``(N, C, H, W)``."""
    x = check_tensor(x, name, floating=True)
    if x.ndim != 4:
        raise ValueError(f"{name} must be a batch of images of shape (N, C, H, W), got shape {tuple(x.shape)}")
    return x


def _check_range(value, name: str, *, low: float = -math.inf) -> tuple[float, float]:
    """Return the pair ``(low, high)`` as floats if ``low <= high`` and ``low`` is at least ``low``."""
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}")
    a, b = check_number(value[0], f"{name}[0]"), check_number(value[1], f"{name}[1]")
    if a > b or a < low:
        raise ValueError(f"{name} must satisfy {low if low > -math.inf else '-inf'} <= low <= high, got {value!r}")
    return a, b


def _uniform(n: int, low: float, high: float, generator, device, dtype=torch.float32) -> torch.Tensor:
    """``n`` draws from U(low, high), made on the CPU from ``generator``, then moved to ``device``."""
    return (low + (high - low) * torch.rand(n, generator=generator, dtype=torch.float64)).to(device, dtype)


def _randint(n: int, high, generator, device) -> torch.Tensor:
    """``n`` integers, the i-th uniform in ``[0, high_i]`` (``high`` an int or a CPU tensor), drawn on the CPU."""
    u = torch.rand(n, generator=generator, dtype=torch.float64)
    high = torch.as_tensor(high, dtype=torch.float64)
    return torch.minimum((u * (high + 1)).floor(), high).long().to(device)


def _beta(n: int, alpha: float, generator) -> torch.Tensor:
    """``n`` draws from Beta(α, α) on the CPU. torch's Beta takes no generator, so a NumPy generator is
    seeded from ``generator`` (the draw stays reproducible from the one torch seed)."""
    seed = int(torch.randint(0, 2**62, (1,), generator=generator))
    return torch.from_numpy(np.random.default_rng(seed).beta(alpha, alpha, size=n))


def _one_hot(y: torch.Tensor, num_classes: int | None, dtype) -> torch.Tensor:
    """Hard labels ``(N,)`` → one-hot rows; soft targets ``(N, K)`` pass through."""
    if y.ndim == 2 and y.is_floating_point():
        return y.to(dtype)
    if num_classes is None:
        raise ValueError("num_classes must be given when y holds class indices")
    return F.one_hot(y.long(), check_positive_int(num_classes, "num_classes")).to(dtype)


def _per_sample(value, n: int, name: str, device, dtype) -> torch.Tensor:
    """A scalar or a length-``n`` tensor of per-sample parameters, as a tensor of shape ``(n,)``."""
    t = torch.as_tensor(value, dtype=dtype).to(device)
    if t.ndim == 0:
        t = t.expand(n)
    if t.shape != (n,):
        raise ValueError(f"{name} must be a number or have shape ({n},), got shape {tuple(t.shape)}")
    return t


# --------------------------------------------------------------------------- scratch memory
class _Scratch(threading.local):
    """Temporary tensors that a :class:`Compose` keeps from one call to the next, one set per thread.

    A multi-megabyte tensor allocated afresh on a CPU is fresh memory from the operating system, and the
    first write to each of its 4 KiB pages costs a page fault; for a batch of images that costs as much
    time as the arithmetic. The temporaries of a call (an index map, a grey image, a sampling grid, a block
    between two steps of a run) are dropped before it returns, so the next call can write into
    the same memory instead.
    """

    def __init__(self):
        self.tensors: dict[str, torch.Tensor] = {}

    def empty(self, key: str, shape: tuple, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        """A tensor of ``shape`` in the memory kept under ``key``, which grows to the largest size asked for
        (the blocks of a batch and its last, smaller block share it)."""
        numel = math.prod(shape)
        kept = self.tensors.get(key)
        if kept is None or kept.numel() < numel or kept.dtype != dtype or kept.device != device:
            kept = self.tensors[key] = torch.empty(numel, dtype=dtype, device=device)
        return (kept if kept.numel() == numel else kept[:numel]).view(shape)


_running = threading.local()  # ``.scratch``: the _Scratch of the Compose now running on this thread, if any


def _temporary(key: str, shape: tuple, like: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor | None:
    """The ``out=`` for a temporary that the calling function drops before it returns: scratch memory of the
    :class:`Compose` running on this thread, or ``None`` (a new tensor) outside one. Autograd may keep a
    temporary for the backward pass and refuses ``out=``, so a batch that needs gradients gets ``None``."""
    scratch = getattr(_running, "scratch", None)
    if scratch is None or (like.requires_grad and torch.is_grad_enabled()):
        return None
    return scratch.empty(key, shape, like.dtype if dtype is None else dtype, like.device)


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


def random_flip(x: torch.Tensor, p: float = 0.5, *, direction: str = "horizontal",
                generator: torch.Generator | None = None) -> torch.Tensor:
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


def crop(x: torch.Tensor, offsets: torch.Tensor, size: tuple[int, int] | None = None, *, padding: int = 0,
         padding_mode: str = "constant", fill: float = 0.0, hflip: torch.Tensor | None = None,
         vflip: torch.Tensor | None = None, out: torch.Tensor | None = None) -> torch.Tensor:
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
    rows = offsets[:, :1] + torch.arange(h, device=x.device)          # (N, h), in padded coordinates
    cols = offsets[:, 1:] + torch.arange(w, device=x.device)          # (N, w)
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
    index = torch.add((source_rows * width)[:, :, None], source_cols[:, None, :],
                      out=_temporary("crop index", (n, h, w), x, torch.long)).reshape(n, 1, h * w)
    index = index.expand(n, x.shape[1], h * w)
    if out is None:
        out = x.flatten(2).gather(2, index).reshape(n, x.shape[1], h, w)
    elif (isinstance(out, torch.Tensor) and out.is_contiguous() and out.shape == (n, x.shape[1], h, w)
          and (out.dtype, out.device) == (x.dtype, x.device)):
        torch.gather(x.flatten(2), 2, index, out=out.view(n, x.shape[1], h * w))
    else:
        raise ValueError(f"out must be a contiguous tensor of shape {(n, x.shape[1], h, w)} like x")
    if padding_mode == "constant" and padding > 0:
        outside = ~(rows_inside[:, :, None] & cols_inside[:, None, :])
        out.masked_fill_(outside[:, None], fill)
    return out


def random_crop(x: torch.Tensor, padding: int = 0, size: tuple[int, int] | None = None, *,
                padding_mode: str = "constant", fill: float = 0.0,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """Random crop with padding: pad by ``padding``, then take a window of ``size`` (default: the input's
    size) at an offset drawn uniformly for each image, ``top ~ U{0, …, H + 2p − h}``, ``left`` alike."""
    x = check_batch(x)
    offsets = _crop_offsets(len(x), tuple(x.shape[2:]), padding, size, generator)
    return crop(x, offsets, size, padding=padding, padding_mode=padding_mode, fill=fill)


def _crop_offsets(n: int, image_size: tuple[int, int], padding: int, size: tuple[int, int] | None,
                  generator) -> torch.Tensor:
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


# --------------------------------------------------------------------------- colour
#: ITU-R BT.601 luma weights, used for the grey image of an RGB batch.
LUMA = (0.299, 0.587, 0.114)


def _grey(x: torch.Tensor) -> torch.Tensor:
    """The ``(N, 1, H, W)`` grey image of an RGB batch."""
    grey = torch.mul(x[:, 0:1], LUMA[0], out=_temporary("grey", (len(x), 1, *x.shape[2:]), x))
    return grey.add_(x[:, 1:2], alpha=LUMA[1]).add_(x[:, 2:3], alpha=LUMA[2])


def adjust_colour(x: torch.Tensor, brightness=1.0, contrast=1.0, saturation=1.0,
                  value_range: tuple[float, float] | None = None, *, inplace: bool = False) -> torch.Tensor:
    """Scale brightness, contrast and saturation by per-sample factors ``b, c, s`` (numbers or ``(N,)``):

    .. math::
        x \\leftarrow b\\,x, \\qquad
        x \\leftarrow c\\,x + (1-c)\\,\\overline{g(x)}, \\qquad
        x \\leftarrow s\\,x + (1-s)\\,g(x),

    in this order, where :math:`g(x) = 0.299R + 0.587G + 0.114B` is the grey image and
    :math:`\\overline{g(x)}` its mean over the image. A factor 1 changes nothing; contrast 0 gives a flat
    grey image, saturation 0 a grey one (one-channel images have no saturation to change). With
    ``value_range = (lo, hi)`` the result is clamped into it, e.g. ``(0, 1)`` for photographs.

    Because :math:`g` and the mean are linear, the three steps fold into one pass over the batch,

    .. math:: x \\leftarrow sc b\\, x + (1-s) c b\\, g(x) + (1-c) b\\, \\overline{g(x)},

    which is what the code computes. With ``inplace=True`` the result overwrites ``x`` (no new batch).
    """
    x = check_batch(x)
    n = len(x)
    out = x if check_bool(inplace, "inplace") else None
    b, c, s = (_per_sample(v, n, name, x.device, x.dtype)[:, None, None, None]
               for v, name in ((brightness, "brightness"), (contrast, "contrast"), (saturation, "saturation")))
    if x.shape[1] == 3:
        grey = _grey(x)  # (N, 1, H, W): a third of the batch
        mean_term = (1 - c) * b * grey.mean(dim=(1, 2, 3), keepdim=True)
        # the one-channel terms are summed first (in place), so the full-size batch is read and written once
        out = torch.addcmul(grey.mul_((1 - s) * c * b).add_(mean_term), x, s * c * b, out=out)
    else:  # no colour: g(x) = x and saturation changes nothing
        out = torch.addcmul((1 - c) * b * x.mean(dim=(1, 2, 3), keepdim=True), x, c * b, out=out)
    if value_range is not None:
        lo, hi = _check_range(value_range, "value_range")
        out = out.clamp_(lo, hi)
    return out


def color_jitter(x: torch.Tensor, brightness: float = 0.0, contrast: float = 0.0, saturation: float = 0.0, *,
                 value_range: tuple[float, float] | None = None, inplace: bool = False,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """Colour jitter: each factor of :func:`adjust_colour` drawn per image from
    :math:`U(\\max(0, 1 - v),\\ 1 + v)` for strength ``v`` (0 leaves that property unchanged).
    With ``inplace=True`` the result overwrites ``x``."""
    x = check_batch(x)
    factors = _colour_factors(len(x), (brightness, contrast, saturation), generator, x.device, x.dtype)
    return adjust_colour(x, *factors, value_range=value_range, inplace=inplace)


def _colour_factors(n: int, strengths: tuple, generator, device, dtype) -> list[torch.Tensor]:
    """The brightness, contrast and saturation factors of :func:`color_jitter`, drawn in that order."""
    factors = []
    for v, name in zip(strengths, ("brightness", "contrast", "saturation")):
        v = check_nonnegative(v, name)
        factors.append(_uniform(n, max(0.0, 1 - v), 1 + v, generator, device, dtype))
    return factors


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
    tx, ty, scale, shear = (_per_sample(v, n, name, "cpu", torch.float64)
                            for v, name in ((tx, "translate[0]"), (ty, "translate[1]"), (scale, "scale"),
                                            (shear, "shear")))
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
    linear = inverse * d[None, None, :] / d[None, :, None]          # D^{-1} A^{-1} D
    shift = -(inverse @ t[:, :, None])[:, :, 0] / d                  # -D^{-1} A^{-1} t
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


def random_affine(x: torch.Tensor, degrees: float = 0.0, translate: tuple[float, float] = (0.0, 0.0),
                  scale: tuple[float, float] = (1.0, 1.0), shear: float = 0.0, *, fill: float = 0.0,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """Random affine transform per image: angle ~ U(−degrees, degrees), shifts ~ U(−translate, translate)
    (fractions of the size), scale ~ U(scale), shear ~ U(−shear, shear) degrees; then :func:`affine`."""
    x = check_batch(x)
    theta = _affine_thetas(len(x), degrees, translate, scale, shear, tuple(x.shape[2:]), generator)
    return affine(x, theta, fill=fill)


def _affine_thetas(n: int, degrees: float, translate: tuple[float, float], scale: tuple[float, float],
                   shear: float, size: tuple[int, int], generator) -> torch.Tensor:
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


# --------------------------------------------------------------------------- cutout
def _box_mask(top: torch.Tensor, left: torch.Tensor, bottom: torch.Tensor, right: torch.Tensor,
              height: int, width: int) -> torch.Tensor:
    """Boolean ``(N, 1, H, W)`` masks, true inside rows ``[top, bottom)`` and columns ``[left, right)``."""
    rows = torch.arange(height, device=top.device)[None, :, None]
    cols = torch.arange(width, device=top.device)[None, None, :]
    inside = ((rows >= top[:, None, None]) & (rows < bottom[:, None, None])
              & (cols >= left[:, None, None]) & (cols < right[:, None, None]))
    return inside[:, None]


def cutout(x: torch.Tensor, centres: torch.Tensor, size: int, *, fill: float = 0.0,
           inplace: bool = False) -> torch.Tensor:
    """Cutout: set a ``size × size`` square centred on ``centres[i] = (row, col)`` to ``fill``; the square is
    clipped at the border, so it may be smaller near an edge (DeVries & Taylor, 2017). With ``inplace=True``
    the squares are written into ``x`` itself (no copy of the batch)."""
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


def random_cutout(x: torch.Tensor, size: int, *, fill: float = 0.0, inplace: bool = False,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """Cutout at a centre drawn uniformly over the image for each sample (see :func:`cutout`)."""
    x = check_batch(x)
    return cutout(x, _cutout_centres(len(x), tuple(x.shape[2:]), generator), size, fill=fill, inplace=inplace)


def _cutout_centres(n: int, image_size: tuple[int, int], generator) -> torch.Tensor:
    """The ``(n, 2)`` square centres of :func:`random_cutout`, uniform over the image, drawn on the CPU (rows first)."""
    height, width = image_size
    return torch.stack([_randint(n, height - 1, generator, "cpu"), _randint(n, width - 1, generator, "cpu")], 1)


# --------------------------------------------------------------------------- mixup and cutmix
def mix(x: torch.Tensor, y: torch.Tensor, lam, perm: torch.Tensor, *,
        num_classes: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup with given weights: each example is blended with its partner ``perm[i]``,

    .. math:: \\tilde x_i = \\lambda_i x_i + (1-\\lambda_i)\\,x_{\\pi(i)}, \\qquad
              \\tilde y_i = \\lambda_i e_{y_i} + (1-\\lambda_i)\\,e_{y_{\\pi(i)}},

    where :math:`e_k` is the one-hot vector of class ``k`` (soft targets ``y`` are mixed as they are).
    ``lam`` is a number or ``(N,)``. Returns the mixed inputs and soft targets that sum to 1.
    """
    x = check_batch(x)
    n = len(x)
    lam = _per_sample(lam, n, "lam", x.device, x.dtype)
    if ((lam < 0) | (lam > 1)).any():
        raise ValueError("lam must be in [0, 1]")
    perm = torch.as_tensor(perm).long().to(x.device)
    targets = _one_hot(check_tensor(y, "y").to(x.device), num_classes, x.dtype)
    mixed = lam[:, None, None, None] * x + (1 - lam[:, None, None, None]) * x[perm]
    return mixed, lam[:, None] * targets + (1 - lam[:, None]) * targets[perm]


def mixup(x: torch.Tensor, y: torch.Tensor, alpha: float = 1.0, *, num_classes: int | None = None,
          generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup (Zhang et al., 2018): partners by a random permutation, :math:`\\lambda_i \\sim
    \\mathrm{Beta}(\\alpha, \\alpha)` per example, then :func:`mix`."""
    x = check_batch(x)
    alpha = check_positive(alpha, "alpha")
    perm = torch.randperm(len(x), generator=generator)
    lam = _beta(len(x), alpha, generator)
    return mix(x, y, lam, perm, num_classes=num_classes)


def cutmix_boxes(lam: torch.Tensor, centres: torch.Tensor, size: tuple[int, int]) -> tuple[torch.Tensor, ...]:
    """CutMix boxes from :math:`\\lambda`: sides :math:`\\lfloor H\\sqrt{1-\\lambda}\\rfloor` and
    :math:`\\lfloor W\\sqrt{1-\\lambda}\\rfloor` around ``centres`` ``(N, 2)``, clipped to the image.

    Returns ``(top, left, bottom, right, lam_corrected)`` where the corrected
    :math:`\\lambda = 1 - \\text{box area} / (HW)` is the share of pixels the image keeps after clipping.
    """
    height, width = size
    lam = torch.as_tensor(lam, dtype=torch.float64).cpu()
    cut = torch.sqrt(1 - lam)
    cut_h, cut_w = (height * cut).floor().long(), (width * cut).floor().long()
    centres = torch.as_tensor(centres).long().cpu()
    top = (centres[:, 0] - cut_h // 2).clamp(0, height)
    bottom = (centres[:, 0] - cut_h // 2 + cut_h).clamp(0, height)
    left = (centres[:, 1] - cut_w // 2).clamp(0, width)
    right = (centres[:, 1] - cut_w // 2 + cut_w).clamp(0, width)
    area = (bottom - top) * (right - left)
    return top, left, bottom, right, 1 - area.double() / (height * width)


def paste_boxes(x: torch.Tensor, source: torch.Tensor, top, left, bottom, right) -> torch.Tensor:
    """Copy the box ``[top_i, bottom_i) × [left_i, right_i)`` of ``source[i]`` into ``x[i]``, for every ``i`` at once."""
    x = check_batch(x)
    box = [torch.as_tensor(v).long().to(x.device) for v in (top, left, bottom, right)]
    return torch.where(_box_mask(*box, x.shape[2], x.shape[3]), source, x)


def cutmix(x: torch.Tensor, y: torch.Tensor, alpha: float = 1.0, *, num_classes: int | None = None,
           generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """CutMix (Yun et al., 2019): paste a box of the partner image into each image; :math:`\\lambda_i \\sim
    \\mathrm{Beta}(\\alpha, \\alpha)` sets the box (:func:`cutmix_boxes`), and the targets are mixed with the
    *corrected* :math:`\\lambda` — the share of pixels that really come from the image itself."""
    x = check_batch(x)
    alpha = check_positive(alpha, "alpha")
    n, _, height, width = x.shape
    perm = torch.randperm(n, generator=generator)
    lam = _beta(n, alpha, generator)
    centres = torch.stack([_randint(n, height - 1, generator, "cpu"), _randint(n, width - 1, generator, "cpu")], 1)
    top, left, bottom, right, lam = cutmix_boxes(lam, centres, (height, width))
    pasted = paste_boxes(x, x[perm.to(x.device)], top, left, bottom, right)
    _, targets = mix(x, y, lam, perm, num_classes=num_classes)
    return pasted, targets


# --------------------------------------------------------------------------- test-time augmentation
@torch.no_grad()
def tta_predict(model: torch.nn.Module, x: torch.Tensor,
                transforms: Sequence[Callable[[torch.Tensor], torch.Tensor]]) -> torch.Tensor:
    """Test-time augmentation: the class probabilities averaged over the views ``t(x)`` for each ``t`` in
    ``transforms`` (include ``lambda x: x`` to keep the original view),

    .. math:: p(y \\mid x) \\approx \\frac1T \\sum_{t=1}^{T} \\operatorname{softmax}(f(t(x))).

    The model is evaluated in eval mode, and its mode is restored after.
    """
    x = check_batch(x)
    if not transforms:
        raise ValueError("transforms must hold at least one transform")
    was_training = model.training
    model.eval()
    probs = torch.stack([F.softmax(model(t(x)), dim=-1) for t in transforms]).mean(0)
    model.train(was_training)
    return probs


# --------------------------------------------------------------------------- transform objects
class Transform:
    """A random transform with fixed parameters: ``t(x)`` → batch, ``t(x, y)`` → ``(batch, y)``.

    Subclasses name the random function in ``function``; ``mixes_labels`` marks those that take and
    return targets (Mixup, CutMix). ``generator`` is used when the call does not pass one.
    """

    function: Callable = None
    mixes_labels = False

    def __init__(self, *, generator: torch.Generator | None = None, **params):
        inspect.signature(type(self).function).bind(None, *([None] if self.mixes_labels else []), **params)
        self.params, self.generator = params, generator

    def __call__(self, x, y=None, *, generator=None):
        generator = generator if generator is not None else self.generator
        if self.mixes_labels:
            if y is None:
                raise ValueError(f"y: {type(self).__name__} mixes labels and needs the targets y")
            return type(self).function(x, y, generator=generator, **self.params)
        out = type(self).function(x, generator=generator, **self.params)
        return out if y is None else (out, y)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.params.items())})"


class RandomHorizontalFlip(Transform):
    """Left-right flip with probability ``p`` (:func:`random_flip`)."""

    function = staticmethod(lambda x, p=0.5, generator=None: random_flip(x, p, generator=generator))


class RandomVerticalFlip(Transform):
    """Upside-down flip with probability ``p`` (:func:`random_flip` with ``direction="vertical"``)."""

    function = staticmethod(lambda x, p=0.5, generator=None:
                            random_flip(x, p, direction="vertical", generator=generator))


class RandomCrop(Transform):
    """Random crop with padding (:func:`random_crop`)."""

    function = staticmethod(random_crop)


class ColorJitter(Transform):
    """Brightness, contrast and saturation jitter (:func:`color_jitter`)."""

    function = staticmethod(color_jitter)


class RandomAffine(Transform):
    """Random rotation, translation, scale and shear (:func:`random_affine`)."""

    function = staticmethod(random_affine)


class Cutout(Transform):
    """Cutout at a random centre (:func:`random_cutout`)."""

    function = staticmethod(random_cutout)


class Mixup(Transform):
    """Mixup with soft targets (:func:`mixup`)."""

    function = staticmethod(mixup)
    mixes_labels = True


class CutMix(Transform):
    """CutMix with soft targets and corrected λ (:func:`cutmix`)."""

    function = staticmethod(cutmix)
    mixes_labels = True


class Compose:
    """Apply ``transforms`` one after the other, all drawing from one ``generator``.

    With ``fuse=True`` (the default) the result is the same, draw for draw and value for value, as calling
    the transforms one by one (``fuse=False``), but memory is read and written fewer times. Each run of
    consecutive :class:`RandomHorizontalFlip`, :class:`RandomVerticalFlip`, :class:`RandomCrop`,
    :class:`ColorJitter`, :class:`RandomAffine` and :class:`Cutout` (transforms that act on each image on its
    own) is applied as one job:

    * every transform of the run first draws its parameters for the whole batch, in order, from the same
      generator: the draws of the functions one by one;
    * flips and at most one crop become one :func:`crop` with flip masks: one gather, where the functions
      copy the batch once per flip and once for the crop;
    * on a CPU with one thread (``torch.get_num_threads() == 1``, as in a data-loading worker) the run then
      takes the batch a block of images at a time (about 1 MiB of images) and puts each block through every
      step before it starts the next. A block stays in the processor's caches from one step to the next,
      where a whole batch (12 MiB for 256 RGB images of 64×64) does not; the bilinear resampling of
      :class:`RandomAffine`, which reads its input at scattered places, gains most. With several threads
      every operation already splits the batch between them, and each block would cost one more
      synchronisation of the threads per operation, which is slow when other processes share the cores;
    * :class:`ColorJitter` and :class:`Cutout` overwrite, in place, a block that an earlier step of the run
      made, instead of copying it. The caller's ``x`` is never overwritten, and neither is a tensor that
      requires gradients (a batch that needs gradients is also taken whole, with no scratch memory);
    * temporaries (index maps, grey images, sampling grids, a block between two steps) are written into
      scratch memory that the Compose keeps for its next call, one set per thread; the batch it returns is
      new memory (or the caller's, where every transform of a run is given ``inplace=True``).

    The per-image coefficients and index maps are computed once per batch, by the same expressions as in
    the functions, and each block by the same operations, so fusion changes no value.
    """

    def __init__(self, transforms: Sequence[Callable], *, generator: torch.Generator | None = None,
                 fuse: bool = True):
        self.transforms, self.generator, self.fuse = list(transforms), generator, check_bool(fuse, "fuse")
        self._scratch = _Scratch()

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_scratch"}   # thread-local memory is not pickled

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _scratch=_Scratch())

    def __call__(self, x, y=None, *, generator=None):
        generator = generator if generator is not None else self.generator
        if not self.fuse:
            for t in self.transforms:
                if y is None:
                    x = t(x, generator=generator)
                else:
                    x, y = t(x, y, generator=generator)
            return x if y is None else (x, y)
        previous = getattr(_running, "scratch", None)
        try:
            x, y = self._fused(x, y, generator)
        finally:
            _running.scratch = previous
        return x if y is None else (x, y)

    def _fused(self, x, y, generator):
        transforms, start = self.transforms, 0
        while start < len(transforms):
            end = start
            while end < len(transforms) and type(transforms[end]) in _PER_IMAGE:
                end += 1
            # autograd keeps some temporaries (grid_sample its grid) for the backward pass: no scratch then
            needs_grad = torch.is_grad_enabled() and isinstance(x, torch.Tensor) and x.requires_grad
            _running.scratch = None if needs_grad else self._scratch
            if end > start:
                x, start = _apply_run(x, transforms[start:end], generator), end
                continue
            if y is None:
                x = transforms[start](x, generator=generator)
            else:
                x, y = transforms[start](x, y, generator=generator)
            start += 1
        return x, y

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"


#: Bytes of images that a fused :class:`Compose` puts through all the steps of a run at a time on one CPU thread:
#: a block, its temporaries (about three times its size) and its result stay in the processor's caches.
_BLOCK_BYTES = 1 << 20


def _apply_run(x, transforms: Sequence[Transform], generator) -> torch.Tensor:
    """A run of per-image transforms in a fused :class:`Compose`: every draw first, then block after block."""
    x = check_batch(x)
    n = len(x)
    if n == 0:  # nothing to fuse: the transforms say what an empty batch gives
        for t in transforms:
            x = t(x, generator=generator)
        return x
    steps = _draw_steps(x, transforms, generator)
    needs_grad = torch.is_grad_enabled() and x.requires_grad
    # a step overwrites its input only where that is a block made earlier in the run (or its transform says so)
    overwrites, owned = [], False
    for step in steps:
        overwrites.append(step.in_place and not needs_grad and (owned or step.told_in_place))
        owned = owned or not overwrites[-1]
    if not owned:  # every step was told to work in place on the caller's batch
        for step in steps:
            step.apply(x, slice(0, n), x)
        return x
    final = max(j for j, overwrite in enumerate(overwrites) if not overwrite)   # the step that writes the result
    block = n
    if x.device.type == "cpu" and torch.get_num_threads() == 1 and not needs_grad:
        block = max(1, _BLOCK_BYTES // (x[0].numel() * x.element_size()))
    out = torch.empty((n, *steps[-1].shape), dtype=x.dtype, device=x.device) if block < n else None
    for first in range(0, n, block):
        rows = slice(first, first + block)
        part = x[rows]
        for j, step in enumerate(steps):
            if overwrites[j]:
                destination = part
            elif j == final:
                destination = None if out is None else out[rows]
            elif step.allocates:  # a step that makes its result in new memory anyway
                destination = None
            else:  # a block that the next steps read and drop
                destination = _temporary(f"step {j}", (part.shape[0], *step.shape), part)
            part = step.apply(part, rows, destination)
    return part if out is None else out


def _draw_steps(x: torch.Tensor, transforms: Sequence[Transform], generator) -> list:
    """The steps of a run, each with its parameters drawn for the whole batch, in the order of the transforms."""
    steps, shape = [], tuple(x.shape[1:])
    for t in transforms:
        kind, g = type(t), generator if generator is not None else t.generator
        if kind in _FLIP_AXES or kind is RandomCrop:
            # flips and at most one crop in a row are one gather; a second crop starts another
            if not (steps and isinstance(steps[-1], _FlipsAndCrop)) or (kind is RandomCrop and steps[-1].crop):
                steps.append(_FlipsAndCrop(len(x), shape))
            steps[-1].draw(t, g)
        else:
            steps.append(_PER_IMAGE[kind](x, shape, _arguments(t), g))
        shape = steps[-1].shape
    return steps


def _arguments(t: Transform) -> dict:
    """All the arguments ``t`` passes to its random function, defaults included."""
    bound = _signature(type(t).function).bind(None, **t.params)
    bound.apply_defaults()
    return bound.arguments


@functools.lru_cache(maxsize=None)
def _signature(function: Callable) -> inspect.Signature:
    return inspect.signature(function)   # slow to build, and asked for at every call of a Compose


class _Step:
    """One step of a fused run, its parameters drawn for the whole batch. ``apply(x, rows, out)`` runs it on the
    images ``rows`` of the batch (``x`` holds just those) and writes the result into ``out``, which may be ``x``
    itself for a step that can work ``in_place``, or into a new tensor if ``out`` is ``None``. ``shape`` is the
    ``(C, H, W)`` of its result; ``told_in_place`` is whether its transform was given ``inplace=True``;
    ``allocates`` is whether it makes its result in new memory anyway (and copies it into ``out``)."""

    in_place = told_in_place = allocates = False
    shape: tuple[int, int, int]


#: The axis of the ``(top, left)`` offsets and of the ``(up-down, left-right)`` flips that each flip acts on.
_FLIP_AXES = {RandomVerticalFlip: 0, RandomHorizontalFlip: 1}


class _FlipsAndCrop(_Step):
    """Flips and at most one crop, drawn one after the other (the draws of applying them one by one) and
    applied as one gather: the index arithmetic of :func:`crop` with ``hflip``/``vflip`` (which flip the input
    before the crop), done once for the batch, then one ``gather`` per block.

    A flip drawn *after* the crop moves before it: padding is symmetric in every mode, so the flipped window
    at offset ``left`` of the padded image is the window of the flipped padded image at the mirrored offset
    ``left' = W + 2p - w - left`` (and ``top' = H + 2p - h - top`` for an up-down flip). Two flips of the same
    axis cancel (``xor``). All of it is index arithmetic: the result is the same gather of the same values.
    """

    def __init__(self, n: int, shape: tuple[int, int, int]):
        self.n, self.channels, self.image_size = n, shape[0], tuple(shape[1:])
        self.flips = torch.zeros(2, n, dtype=torch.bool)         # up-down, left-right
        self.offsets = torch.zeros(n, 2, dtype=torch.long)       # (top, left) in the padded image
        self.crop = None                                         # the crop's arguments once drawn
        self.index = None                                        # the index maps, made at the first apply

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, *((self.crop or {}).get("size") or self.image_size))

    def draw(self, t: Transform, generator) -> None:
        arguments = _arguments(t)
        if type(t) is RandomCrop:
            self.offsets = _crop_offsets(self.n, self.image_size, arguments["padding"], arguments["size"], generator)
            self.crop = _check_crop(self.image_size, **{k: arguments[k] for k in ("size", "padding", "padding_mode",
                                                                                  "fill")})
            return
        axis = _FLIP_AXES[type(t)]
        mask = _flip_mask(self.n, arguments["p"], generator)
        if self.crop is not None:
            window = self.crop["size"] or self.image_size
            span = self.image_size[axis] + 2 * self.crop["padding"] - window[axis]
            self.offsets[:, axis] = torch.where(mask, span - self.offsets[:, axis], self.offsets[:, axis])
        self.flips[axis] ^= mask

    def _index_maps(self, device) -> tuple:
        """The source of each window row (times the width) and column in the input, for every image, and the
        pixels that constant padding fills: the index arithmetic of :func:`crop`, once for the batch."""
        crop = self.crop or {"size": None, "padding": 0, "padding_mode": "constant", "fill": 0.0}
        (height, width), padding, mode = self.image_size, crop["padding"], crop["padding_mode"]
        h, w = self.shape[1:]
        offsets, (vflip, hflip) = self.offsets.to(device), self.flips.to(device)[:, :, None]
        source_rows, rows_inside = _padded_source(offsets[:, :1] + torch.arange(h, device=device) - padding,
                                                  height, mode)
        source_cols, cols_inside = _padded_source(offsets[:, 1:] + torch.arange(w, device=device) - padding,
                                                  width, mode)
        source_rows = torch.where(vflip, height - 1 - source_rows, source_rows)
        source_cols = torch.where(hflip, width - 1 - source_cols, source_cols)
        outside = None
        if mode == "constant" and padding > 0:
            outside = ~(rows_inside[:, :, None] & cols_inside[:, None, :])[:, None]
        return (source_rows * width)[:, :, None], source_cols[:, None, :], outside

    def apply(self, x: torch.Tensor, rows: slice, out: torch.Tensor | None) -> torch.Tensor:
        if self.index is None:
            self.index = self._index_maps(x.device)
        row_starts, cols, outside = (None if v is None else v[rows] for v in self.index)
        k, h, w = x.shape[0], *self.shape[1:]
        index = torch.add(row_starts, cols, out=_temporary("crop index", (k, h, w), x, torch.long))
        index = index.view(k, 1, h * w).expand(k, x.shape[1], h * w)
        if out is None:
            out = x.flatten(2).gather(2, index).view(k, x.shape[1], h, w)
        else:
            torch.gather(x.flatten(2), 2, index, out=out.view(k, x.shape[1], h * w))
        if outside is not None:
            out.masked_fill_(outside, self.crop["fill"])
        return out


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


class _Colour(_Step):
    """:func:`color_jitter`: the factors drawn for the batch, the coefficients of :func:`adjust_colour`'s one
    pass computed once, and each block computed by :func:`adjust_colour`'s operations."""

    in_place = True

    def __init__(self, x: torch.Tensor, shape: tuple, arguments: dict, generator):
        strengths = tuple(arguments[k] for k in ("brightness", "contrast", "saturation"))
        b, c, s = (v[:, None, None, None] for v in _colour_factors(len(x), strengths, generator, x.device, x.dtype))
        self.shape, self.told_in_place = shape, check_bool(arguments["inplace"], "inplace")
        value_range = arguments["value_range"]
        self.value_range = None if value_range is None else _check_range(value_range, "value_range")
        # mean term, grey term and x term of the folded formula (one channel: no grey term)
        self.coefficients = ((1 - c) * b, (1 - s) * c * b, s * c * b) if shape[0] == 3 else ((1 - c) * b, c * b)

    def apply(self, x: torch.Tensor, rows: slice, out: torch.Tensor | None) -> torch.Tensor:
        coefficients = [v[rows] for v in self.coefficients]
        if len(coefficients) == 3:
            grey = _grey(x)
            mean_term = coefficients[0] * grey.mean(dim=(1, 2, 3), keepdim=True)
            out = torch.addcmul(grey.mul_(coefficients[1]).add_(mean_term), x, coefficients[2], out=out)
        else:
            out = torch.addcmul(coefficients[0] * x.mean(dim=(1, 2, 3), keepdim=True), x, coefficients[1], out=out)
        return out if self.value_range is None else out.clamp_(*self.value_range)


class _Affine(_Step):
    """:func:`random_affine`: the matrices drawn for the batch, each block resampled as :func:`affine` does."""

    allocates = True  # F.grid_sample has no out=

    def __init__(self, x: torch.Tensor, shape: tuple, arguments: dict, generator):
        self.shape = shape
        theta = _affine_thetas(len(x), *(arguments[k] for k in ("degrees", "translate", "scale", "shear")),
                               tuple(shape[1:]), generator)
        self.fill = check_number(arguments["fill"], "fill")
        self.grid_terms = _grid_terms(theta.to(x.device, x.dtype), tuple(shape[1:]))

    def apply(self, x: torch.Tensor, rows: slice, out: torch.Tensor | None) -> torch.Tensor:
        # the block's affine_grid, from the batch's terms
        planes = _temporary("grid", (x.shape[0], 2, *self.shape[1:]), x)
        grid = torch.add(*(v[rows] for v in self.grid_terms), out=planes).permute(0, 2, 3, 1)
        if self.fill == 0:
            resampled = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        else:
            resampled = F.grid_sample(x - self.fill, grid, mode="bilinear", padding_mode="zeros",
                                      align_corners=False) + self.fill
        return resampled if out is None else out.copy_(resampled)


class _Cutout(_Step):
    """:func:`random_cutout`: the centres drawn for the batch, the rows and columns of every square (clamped to
    the image as in :func:`cutout`) computed once, and each block filled by one ``scatter_`` at the squares'
    flat indices."""

    in_place = True

    def __init__(self, x: torch.Tensor, shape: tuple, arguments: dict, generator):
        channels, height, width = self.shape = shape
        self.centres = _cutout_centres(len(x), (height, width), generator).to(x.device)
        self.size, self.fill = check_positive_int(arguments["size"], "size"), check_number(arguments["fill"], "fill")
        self.told_in_place = check_bool(arguments["inplace"], "inplace")
        # a square around a centre inside the image always overlaps it: every clamped index is in the square
        top, left = (self.centres - self.size // 2).unbind(1)
        offsets = torch.arange(self.size, device=x.device)
        self.row_starts = ((top[:, None] + offsets).clamp(0, height - 1) * width)[:, None, :, None]   # (N, 1, s, 1)
        self.cols = (left[:, None] + offsets).clamp(0, width - 1)[:, None, None, :]                # (N, 1, 1, s)
        self.planes = torch.arange(channels, device=x.device)[:, None, None] * (height * width)    # (C, 1, 1)

    def apply(self, x: torch.Tensor, rows: slice, out: torch.Tensor | None) -> torch.Tensor:
        if out is None:
            out = x.clone(memory_format=torch.contiguous_format)
        elif out is not x:
            out.copy_(x)
        if not out.is_contiguous():  # the caller's own batch, told to work in place
            return cutout(out, self.centres[rows], self.size, fill=self.fill, inplace=True)
        k, (channels, size) = out.shape[0], (self.shape[0], self.size)
        index = _temporary("cutout index", (k, channels, size, size), out, torch.long)
        index = torch.add(self.planes + self.row_starts[rows], self.cols[rows], out=index)
        out.view(k, -1).scatter_(1, index.view(k, -1), self.fill)
        return out


#: The transforms that a fused :class:`Compose` applies in blocks, and the step for each (flips and crops
#: are gathered into one :class:`_FlipsAndCrop`).
_PER_IMAGE = {RandomHorizontalFlip: _FlipsAndCrop, RandomVerticalFlip: _FlipsAndCrop, RandomCrop: _FlipsAndCrop,
              ColorJitter: _Colour, RandomAffine: _Affine, Cutout: _Cutout}


class RandomApply:
    """Apply ``transform`` to each image independently with probability ``p``.

    The transform runs on the whole batch and each image keeps the result with probability ``p``
    (``torch.where`` on a per-sample mask): simple and batched, at the cost of transforming images
    that are then discarded. For a label-mixing transform, the kept examples take its soft targets
    and the others their own one-hot targets.
    """

    def __init__(self, transform: Callable, p: float = 0.5, *, generator: torch.Generator | None = None):
        self.transform, self.p, self.generator = transform, check_probability(p, "p"), generator

    def __call__(self, x, y=None, *, generator=None):
        x = check_batch(x)
        generator = generator if generator is not None else self.generator
        keep = (torch.rand(len(x), generator=generator) < self.p).to(x.device)
        if y is None:
            return torch.where(keep[:, None, None, None], self.transform(x, generator=generator), x)
        new_x, new_y = self.transform(x, y, generator=generator)
        x = torch.where(keep[:, None, None, None], new_x, x)
        if new_y.ndim == 2 and new_y.is_floating_point():
            y = torch.where(keep[:, None], new_y, _one_hot(y, new_y.shape[1], new_y.dtype))
        else:
            y = torch.where(keep, new_y, y)
        return x, y

    def __repr__(self) -> str:
        return f"RandomApply({self.transform!r}, p={self.p})"
