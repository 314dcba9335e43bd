"""Augmentation as objects: each random transform with fixed parameters, and :class:`RandomApply`.

A transform ``t`` is called as ``t(x)`` or ``t(x, y)``; with targets it returns ``(x, y)``, which is what
:func:`dlcourse.training.fit`'s ``transform`` argument expects. :class:`Mixup` and :class:`CutMix` change
the targets into soft ones. :class:`dlcourse.augment.Compose` chains them.

Examples
--------
>>> import torch
>>> t = RandomHorizontalFlip(p=1.0)
>>> t(torch.tensor([[[[1.0, 2.0]]]]))
tensor([[[[2., 1.]]]])
>>> t
RandomHorizontalFlip(p=1.0)
"""

from __future__ import annotations

import inspect
from typing import Callable

import torch

from .._checks import check_probability
from .affine_maps import random_affine
from .base import _one_hot, check_batch
from .colour import color_jitter
from .erasing import random_cutout
from .geometric import random_crop, random_flip
from .mixing import cutmix, mixup

__all__ = [
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
]


class Transform:
    """A random transform with fixed parameters: ``t(x)`` → batch, ``t(x, y)`` → ``(batch, y)``.

    Subclasses name the random function in ``function``; ``mixes_labels`` marks those that take and
    return targets (Mixup, CutMix). ``generator`` is used when the call does not pass one.

    Parameters
    ----------
    generator : torch.Generator, optional
        The generator used when a call passes none; ``None`` (the default) then means torch's default generator.
    **params
        The fixed arguments of ``function`` (e.g. ``p=0.5`` or ``padding=4``); names that ``function`` does
        not take raise ``TypeError``.
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

    @staticmethod
    def function(x, p=0.5, generator=None):
        """:func:`random_flip` left-right.

        Parameters
        ----------
        x : torch.Tensor
            Floating-point batch of images, shape ``(N, C, H, W)``.
        p : float, default 0.5
            Probability of flipping each image, in ``[0, 1]``.
        generator : torch.Generator, optional
            CPU generator the mask is drawn from; ``None`` uses torch's default generator.

        Returns
        -------
        torch.Tensor
            The batch with the drawn images flipped left-right, shape ``(N, C, H, W)``.
        """
        return random_flip(x, p, generator=generator)


class RandomVerticalFlip(Transform):
    """Upside-down flip with probability ``p`` (:func:`random_flip` with ``direction="vertical"``)."""

    @staticmethod
    def function(x, p=0.5, generator=None):
        """:func:`random_flip` upside down.

        Parameters
        ----------
        x : torch.Tensor
            Floating-point batch of images, shape ``(N, C, H, W)``.
        p : float, default 0.5
            Probability of flipping each image, in ``[0, 1]``.
        generator : torch.Generator, optional
            CPU generator the mask is drawn from; ``None`` uses torch's default generator.

        Returns
        -------
        torch.Tensor
            The batch with the drawn images flipped upside down, shape ``(N, C, H, W)``.
        """
        return random_flip(x, p, direction="vertical", generator=generator)


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


class RandomApply:
    """Apply ``transform`` to each image independently with probability ``p``.

    The transform runs on the whole batch and each image keeps the result with probability ``p``
    (``torch.where`` on a per-sample mask): simple and batched, at the cost of transforming images
    that are then discarded. For a label-mixing transform, the kept examples take its soft targets
    and the others their own one-hot targets.

    Parameters
    ----------
    transform : callable
        The transform, called as ``transform(x, generator=g)`` or ``transform(x, y, generator=g)``.
    p : float, default 0.5
        Probability that an image keeps the transformed version, in ``[0, 1]``.
    generator : torch.Generator, optional
        The generator used when a call passes none (for the mask, then the transform's own draws); ``None``
        means torch's default generator.
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
