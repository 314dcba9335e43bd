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

The package, one module per concept (import everything from ``dlcourse.augment``):

* ``base``: the batch check, the random draws and the scratch memory;
* ``geometric``: flips, crops and whole-pixel shifts;
* ``affine_maps``: affine maps (rotation, shear, scale, shift) and their resampling;
* ``colour``: brightness, contrast and saturation;
* ``erasing``: Cutout;
* ``mixing``: Mixup and CutMix;
* ``transforms``: the transform classes and :class:`RandomApply`;
* ``compose``: :class:`Compose` and its fused pipeline;
* here: test-time augmentation, :func:`tta_predict`.

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

from typing import Callable, Sequence

import torch
import torch.nn.functional as F

from .affine_maps import affine, affine_grid, affine_matrices, random_affine
from .base import check_batch
from .colour import LUMA, adjust_colour, color_jitter
from .compose import Compose
from .erasing import cutout, random_cutout
from .geometric import crop, flip, random_crop, random_flip, translate
from .mixing import cutmix, cutmix_boxes, mix, mixup, paste_boxes
from .transforms import (
    ColorJitter,
    CutMix,
    Cutout,
    Mixup,
    RandomAffine,
    RandomApply,
    RandomCrop,
    RandomHorizontalFlip,
    RandomVerticalFlip,
    Transform,
)

__all__ = [
    "check_batch",
    "flip",
    "random_flip",
    "crop",
    "random_crop",
    "translate",
    "affine_matrices",
    "affine_grid",
    "affine",
    "random_affine",
    "LUMA",
    "adjust_colour",
    "color_jitter",
    "cutout",
    "random_cutout",
    "mix",
    "mixup",
    "cutmix_boxes",
    "paste_boxes",
    "cutmix",
    "Transform",
    "RandomHorizontalFlip",
    "RandomVerticalFlip",
    "RandomCrop",
    "ColorJitter",
    "RandomAffine",
    "Cutout",
    "Mixup",
    "CutMix",
    "RandomApply",
    "Compose",
    "tta_predict",
]


# --------------------------------------------------------------------------- test-time augmentation
@torch.no_grad()
def tta_predict(
    model: torch.nn.Module, x: torch.Tensor, transforms: Sequence[Callable[[torch.Tensor], torch.Tensor]]
) -> torch.Tensor:
    """Test-time augmentation: the class probabilities averaged over the views ``t(x)`` for each ``t`` in
    ``transforms`` (include ``lambda x: x`` to keep the original view),

    .. math:: p(y \\mid x) \\approx \\frac1T \\sum_{t=1}^{T} \\operatorname{softmax}(f(t(x))).

    The model is evaluated in eval mode, and its mode is restored after.

    Parameters
    ----------
    model : torch.nn.Module
        Classifier mapping a batch ``(N, C, H, W)`` to logits ``(N, K)``; run under ``torch.no_grad()``.
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    transforms : sequence of callable
        The views: each ``t`` maps the batch to a batch ``t(x)`` the model accepts. Must not be empty
        (``ValueError``).

    Returns
    -------
    torch.Tensor
        The class probabilities averaged over the views, shape ``(N, K)``.
    """
    x = check_batch(x)
    if not transforms:
        raise ValueError("transforms must hold at least one transform")
    was_training = model.training
    model.eval()
    probs = torch.stack([F.softmax(model(t(x)), dim=-1) for t in transforms]).mean(0)
    model.train(was_training)
    return probs
