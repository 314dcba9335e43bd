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

import inspect
import math
import numbers
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ._checks import (check_choice, check_nonnegative, check_number, check_positive, check_positive_int,
                      check_probability, check_tensor)

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


# --------------------------------------------------------------------------- flips
def flip(x: torch.Tensor, mask: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Flip the images selected by the boolean ``mask`` (shape ``(N,)``) along ``dim``.

    A horizontal flip (``dim=-1``) maps pixel ``(i, j)`` to ``(i, W - 1 - j)``; a vertical flip
    (``dim=-2``) maps it to ``(H - 1 - i, j)``. Flipping twice is the identity.
    """
    x = check_batch(x)
    if dim not in (-1, -2, 2, 3):
        raise ValueError(f"dim must be -1 (horizontal) or -2 (vertical), got {dim}")
    mask = torch.as_tensor(mask, dtype=torch.bool).to(x.device)
    if mask.shape != (len(x),):
        raise ValueError(f"mask must have shape ({len(x)},), got {tuple(mask.shape)}")
    # flip only the selected images (a `torch.where` over two full batches costs twice as much)
    selected = mask.nonzero().squeeze(1)
    return x.index_copy(0, selected, x.index_select(0, selected).flip(dim))


def random_flip(x: torch.Tensor, p: float = 0.5, *, direction: str = "horizontal",
                generator: torch.Generator | None = None) -> torch.Tensor:
    """Flip each image independently with probability ``p``: ``mask_i ~ Bernoulli(p)``, then :func:`flip`."""
    x = check_batch(x)
    p = check_probability(p, "p")
    dim = {"horizontal": -1, "vertical": -2}[check_choice(direction, "direction", {"horizontal", "vertical"})]
    mask = torch.rand(len(x), generator=generator) < p
    return flip(x, mask, dim)


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
         padding_mode: str = "constant", fill: float = 0.0) -> torch.Tensor:
    """Pad each image by ``padding`` pixels, then cut a ``size = (h, w)`` window whose top-left corner is
    ``offsets[i] = (top, left)`` in the padded image:

    .. math:: \\text{out}_i[c, r, s] = \\text{pad}(x)_i[c,\\ \\text{top}_i + r,\\ \\text{left}_i + s].

    All windows are gathered at once with one ``torch.gather`` (no loop over images), and the padded
    image is never built: each window row and column is mapped back to its source in ``x``.
    ``padding_mode`` is ``"constant"`` (value ``fill``), ``"reflect"`` (mirror without repeating the border;
    ``padding`` must be smaller than the image) or ``"replicate"``.
    """
    x = check_batch(x)
    if isinstance(padding, bool) or not isinstance(padding, numbers.Integral) or padding < 0:
        raise ValueError(f"padding must be an int >= 0, got {padding!r}")
    check_choice(padding_mode, "padding_mode", {"constant", "reflect", "replicate"})
    fill = check_number(fill, "fill")
    n, _, height, width = x.shape
    h, w = (height, width) if size is None else (check_positive_int(size[0], "size[0]"),
                                                 check_positive_int(size[1], "size[1]"))
    if h > height + 2 * padding or w > width + 2 * padding:
        raise ValueError(f"size {(h, w)} is larger than the padded image {(height + 2 * padding, width + 2 * padding)}")
    if padding_mode == "reflect" and padding >= min(height, width):
        raise ValueError(f"reflect padding must be smaller than the image, got padding={padding} for {height}×{width}")
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
    index = (source_rows[:, :, None] * width + source_cols[:, None, :]).reshape(n, 1, h * w)
    out = x.flatten(2).gather(2, index.expand(n, x.shape[1], h * w)).reshape(n, x.shape[1], h, w)
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
    if isinstance(padding, bool) or not isinstance(padding, numbers.Integral) or padding < 0:
        raise ValueError(f"padding must be an int >= 0, got {padding!r}")
    n, _, height, width = x.shape
    h, w = (height, width) if size is None else size
    top = _randint(n, max(height + 2 * padding - h, 0), generator, x.device)
    left = _randint(n, max(width + 2 * padding - w, 0), generator, x.device)
    return crop(x, torch.stack([top, left], 1), size, padding=padding, padding_mode=padding_mode, fill=fill)


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
    grey = LUMA[0] * x[:, 0:1]
    return grey.add_(x[:, 1:2], alpha=LUMA[1]).add_(x[:, 2:3], alpha=LUMA[2])


def adjust_colour(x: torch.Tensor, brightness=1.0, contrast=1.0, saturation=1.0,
                  value_range: tuple[float, float] | None = None) -> torch.Tensor:
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

    which is what the code computes.
    """
    x = check_batch(x)
    n = len(x)
    b, c, s = (_per_sample(v, n, name, x.device, x.dtype)[:, None, None, None]
               for v, name in ((brightness, "brightness"), (contrast, "contrast"), (saturation, "saturation")))
    if x.shape[1] == 3:
        grey = _grey(x)  # (N, 1, H, W): a third of the batch
        mean_term = (1 - c) * b * grey.mean(dim=(1, 2, 3), keepdim=True)
        # the one-channel terms are summed first (in place), so the full-size batch is read and written once
        out = torch.addcmul(grey.mul_((1 - s) * c * b).add_(mean_term), x, s * c * b)
    else:  # no colour: g(x) = x and saturation changes nothing
        out = torch.addcmul((1 - c) * b * x.mean(dim=(1, 2, 3), keepdim=True), x, c * b)
    if value_range is not None:
        lo, hi = _check_range(value_range, "value_range")
        out = out.clamp_(lo, hi)
    return out


def color_jitter(x: torch.Tensor, brightness: float = 0.0, contrast: float = 0.0, saturation: float = 0.0, *,
                 value_range: tuple[float, float] | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """Colour jitter: each factor of :func:`adjust_colour` drawn per image from
    :math:`U(\\max(0, 1 - v),\\ 1 + v)` for strength ``v`` (0 leaves that property unchanged)."""
    x = check_batch(x)
    factors = []
    for v, name in ((brightness, "brightness"), (contrast, "contrast"), (saturation, "saturation")):
        v = check_nonnegative(v, name)
        factors.append(_uniform(len(x), max(0.0, 1 - v), 1 + v, generator, x.device, x.dtype))
    return adjust_colour(x, *factors, value_range=value_range)


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

    so the grid is one broadcast addition of an ``(N, 1, W, 2)`` and an ``(N, H, 1, 2)`` tensor instead of a
    batched matrix product over all ``H·W`` points (a third of the time on a CPU).
    """
    height, width = size
    u = (torch.arange(width, dtype=theta.dtype, device=theta.device) * 2 + 1) / width - 1
    v = (torch.arange(height, dtype=theta.dtype, device=theta.device) * 2 + 1) / height - 1
    columns = theta[:, None, None, :, 0] * u[None, None, :, None]                              # (N, 1, W, 2)
    rows = theta[:, None, None, :, 1] * v[None, :, None, None] + theta[:, None, None, :, 2]    # (N, H, 1, 2)
    return columns + rows


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
    degrees, shear = check_nonnegative(degrees, "degrees"), check_nonnegative(shear, "shear")
    tx, ty = _check_range(translate, "translate", low=0.0)
    lo, hi = _check_range(scale, "scale", low=0.0)
    if lo <= 0:
        raise ValueError(f"scale must be > 0, got {scale!r}")
    n = len(x)
    draw = lambda a, b: _uniform(n, a, b, generator, "cpu", torch.float64)
    angle, dx, dy, s, sh = draw(-degrees, degrees), draw(-tx, tx), draw(-ty, ty), draw(lo, hi), draw(-shear, shear)
    return affine(x, affine_matrices(angle, (dx, dy), s, sh, size=tuple(x.shape[2:])), fill=fill)


# --------------------------------------------------------------------------- cutout
def _box_mask(top: torch.Tensor, left: torch.Tensor, bottom: torch.Tensor, right: torch.Tensor,
              height: int, width: int) -> torch.Tensor:
    """Boolean ``(N, 1, H, W)`` masks, true inside rows ``[top, bottom)`` and columns ``[left, right)``."""
    rows = torch.arange(height, device=top.device)[None, :, None]
    cols = torch.arange(width, device=top.device)[None, None, :]
    inside = ((rows >= top[:, None, None]) & (rows < bottom[:, None, None])
              & (cols >= left[:, None, None]) & (cols < right[:, None, None]))
    return inside[:, None]


def cutout(x: torch.Tensor, centres: torch.Tensor, size: int, *, fill: float = 0.0) -> torch.Tensor:
    """Cutout: set a ``size × size`` square centred on ``centres[i] = (row, col)`` to ``fill``; the square is
    clipped at the border, so it may be smaller near an edge (DeVries & Taylor, 2017)."""
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
    out = x.clone()
    out[images[:, None, None], :, rows[:, :, None], cols[:, None, :]] = fill
    return out


def random_cutout(x: torch.Tensor, size: int, *, fill: float = 0.0,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """Cutout at a centre drawn uniformly over the image for each sample (see :func:`cutout`)."""
    x = check_batch(x)
    n, _, height, width = x.shape
    centres = torch.stack([_randint(n, height - 1, generator, x.device), _randint(n, width - 1, generator, x.device)], 1)
    return cutout(x, centres, size, fill=fill)


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
    """Apply ``transforms`` one after the other, all drawing from one ``generator``."""

    def __init__(self, transforms: Sequence[Callable], *, generator: torch.Generator | None = None):
        self.transforms, self.generator = list(transforms), generator

    def __call__(self, x, y=None, *, generator=None):
        generator = generator if generator is not None else self.generator
        for t in self.transforms:
            if y is None:
                x = t(x, generator=generator)
            else:
                x, y = t(x, y, generator=generator)
        return x if y is None else (x, y)

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"


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
