"""A chain of augmentations, :class:`Compose`, and how it fuses the per-image ones into fewer passes.

A fused :class:`Compose` gives the values of the transforms applied one by one, bit for bit, from the same
draws: each run of per-image transforms draws every parameter first, then goes through the batch a block
of images at a time (on one CPU thread), with flips and a crop merged into one gather and the colour
jitter and Cutout working in place on blocks it made. The ``_Step`` classes below are those steps.

Examples
--------
>>> import torch
>>> from dlcourse.runtime import make_generator
>>> from dlcourse.augment.transforms import RandomCrop, RandomHorizontalFlip
>>> x = torch.rand(4, 3, 8, 8, generator=make_generator(0))
>>> fused = Compose([RandomHorizontalFlip(), RandomCrop(padding=2)], generator=make_generator(1))(x)
>>> one_by_one = Compose([RandomHorizontalFlip(), RandomCrop(padding=2)], generator=make_generator(1), fuse=False)(x)
>>> torch.equal(fused, one_by_one)
True
"""

from __future__ import annotations

import functools
import inspect
from typing import Callable, Sequence

import torch
import torch.nn.functional as F

from .._checks import check_bool, check_number, check_positive_int
from .affine_maps import _affine_thetas, _grid_terms
from .base import _check_range, _running, _Scratch, _temporary, check_batch
from .colour import _colour_factors, _grey
from .erasing import _cutout_centres, cutout
from .geometric import _check_crop, _crop_offsets, _flip_mask, _padded_source
from .transforms import (
    ColorJitter,
    Cutout,
    RandomAffine,
    RandomCrop,
    RandomHorizontalFlip,
    RandomVerticalFlip,
    Transform,
)

__all__ = ["Compose"]


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

    Parameters
    ----------
    transforms : sequence of callable
        The transforms, applied in order. Each is called as ``t(x, generator=g)``, or
        ``t(x, y, generator=g)`` returning ``(x, y)`` when targets are given (as the :class:`Transform`
        classes are).
    generator : torch.Generator, optional
        The generator every transform draws from. ``None`` lets each transform use its own generator; a
        ``generator=`` given at the call (``t(x, generator=g)``) overrides both.
    fuse : bool, default True
        Fuse runs of per-image transforms (see above); ``False`` calls the transforms one by one.
    """

    def __init__(self, transforms: Sequence[Callable], *, generator: torch.Generator | None = None, fuse: bool = True):
        self.transforms, self.generator, self.fuse = list(transforms), generator, check_bool(fuse, "fuse")
        self._scratch = _Scratch()

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_scratch"}  # thread-local memory is not pickled

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
    final = max(j for j, overwrite in enumerate(overwrites) if not overwrite)  # the step that writes the result
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
    return inspect.signature(function)  # slow to build, and asked for at every call of a Compose


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
        self.flips = torch.zeros(2, n, dtype=torch.bool)  # up-down, left-right
        self.offsets = torch.zeros(n, 2, dtype=torch.long)  # (top, left) in the padded image
        self.crop = None  # the crop's arguments once drawn
        self.index = None  # the index maps, made at the first apply

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, *((self.crop or {}).get("size") or self.image_size))

    def draw(self, t: Transform, generator) -> None:
        arguments = _arguments(t)
        if type(t) is RandomCrop:
            self.offsets = _crop_offsets(self.n, self.image_size, arguments["padding"], arguments["size"], generator)
            self.crop = _check_crop(
                self.image_size, **{k: arguments[k] for k in ("size", "padding", "padding_mode", "fill")}
            )
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
        source_rows, rows_inside = _padded_source(
            offsets[:, :1] + torch.arange(h, device=device) - padding, height, mode
        )
        source_cols, cols_inside = _padded_source(
            offsets[:, 1:] + torch.arange(w, device=device) - padding, width, mode
        )
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
        theta = _affine_thetas(
            len(x), *(arguments[k] for k in ("degrees", "translate", "scale", "shear")), tuple(shape[1:]), generator
        )
        self.fill = check_number(arguments["fill"], "fill")
        self.grid_terms = _grid_terms(theta.to(x.device, x.dtype), tuple(shape[1:]))

    def apply(self, x: torch.Tensor, rows: slice, out: torch.Tensor | None) -> torch.Tensor:
        # the block's affine_grid, from the batch's terms
        planes = _temporary("grid", (x.shape[0], 2, *self.shape[1:]), x)
        grid = torch.add(*(v[rows] for v in self.grid_terms), out=planes).permute(0, 2, 3, 1)
        if self.fill == 0:
            resampled = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        else:
            resampled = (
                F.grid_sample(x - self.fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
                + self.fill
            )
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
        self.row_starts = ((top[:, None] + offsets).clamp(0, height - 1) * width)[:, None, :, None]  # (N, 1, s, 1)
        self.cols = (left[:, None] + offsets).clamp(0, width - 1)[:, None, None, :]  # (N, 1, 1, s)
        self.planes = torch.arange(channels, device=x.device)[:, None, None] * (height * width)  # (C, 1, 1)

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
_PER_IMAGE = {
    RandomHorizontalFlip: _FlipsAndCrop,
    RandomVerticalFlip: _FlipsAndCrop,
    RandomCrop: _FlipsAndCrop,
    ColorJitter: _Colour,
    RandomAffine: _Affine,
    Cutout: _Cutout,
}
