r"""Label-mixing augmentation on batches: Mixup and CutMix, which blend each example with a partner.

Both turn the targets into soft ones (probability vectors that sum to 1), which ``F.cross_entropy``
accepts directly. :func:`mix` and :func:`paste_boxes` apply given weights and boxes; :func:`mixup` and
:func:`cutmix` draw them on the CPU and call them.

Examples
--------
>>> import torch
>>> x, y = torch.zeros(2, 1, 2, 2), torch.tensor([0, 1])
>>> x[1] = 1.0
>>> mixed, soft = mix(x, y, 0.75, torch.tensor([1, 0]), num_classes=2)
>>> mixed[:, 0, 0, 0], soft
(tensor([0.2500, 0.7500]), tensor([[0.7500, 0.2500],
        [0.2500, 0.7500]]))
"""

from __future__ import annotations

import torch

from .._checks import check_positive, check_tensor
from .base import _beta, _one_hot, _per_sample, _randint, check_batch

__all__ = ["mix", "mixup", "cutmix_boxes", "paste_boxes", "cutmix"]


def _box_mask(
    top: torch.Tensor, left: torch.Tensor, bottom: torch.Tensor, right: torch.Tensor, height: int, width: int
) -> torch.Tensor:
    """Boolean ``(N, 1, H, W)`` masks, true inside rows ``[top, bottom)`` and columns ``[left, right)``."""
    rows = torch.arange(height, device=top.device)[None, :, None]
    cols = torch.arange(width, device=top.device)[None, None, :]
    inside = (
        (rows >= top[:, None, None])
        & (rows < bottom[:, None, None])
        & (cols >= left[:, None, None])
        & (cols < right[:, None, None])
    )
    return inside[:, None]


# --------------------------------------------------------------------------- mixup and cutmix
def mix(
    x: torch.Tensor, y: torch.Tensor, lam, perm: torch.Tensor, *, num_classes: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup with given weights: each example is blended with its partner ``perm[i]``,

    .. math:: \\tilde x_i = \\lambda_i x_i + (1-\\lambda_i)\\,x_{\\pi(i)}, \\qquad
              \\tilde y_i = \\lambda_i e_{y_i} + (1-\\lambda_i)\\,e_{y_{\\pi(i)}},

    where :math:`e_k` is the one-hot vector of class ``k`` (soft targets ``y`` are mixed as they are).
    ``lam`` is a number or ``(N,)``. Returns the mixed inputs and soft targets that sum to 1.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    y : torch.Tensor
        Targets: class indices of shape ``(N,)`` or soft targets (floating point) of shape ``(N, K)``.
    lam : float or torch.Tensor
        The weights :math:`\\lambda_i` of the images themselves, a number or shape ``(N,)``, each in ``[0, 1]``.
    perm : torch.Tensor
        Integer partner indices :math:`\\pi(i)`, shape ``(N,)`` (usually a permutation).
    num_classes : int, optional
        Number of classes ``K``; required when ``y`` holds class indices, ignored for soft targets.

    Returns
    -------
    mixed : torch.Tensor
        The mixed images, shape ``(N, C, H, W)``.
    targets : torch.Tensor
        The soft targets, shape ``(N, K)``, with ``x``'s dtype.
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


def mixup(
    x: torch.Tensor,
    y: torch.Tensor,
    alpha: float = 1.0,
    *,
    num_classes: int | None = None,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup (Zhang et al., 2018): partners by a random permutation, :math:`\\lambda_i \\sim
    \\mathrm{Beta}(\\alpha, \\alpha)` per example, then :func:`mix`.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    y : torch.Tensor
        Class indices ``(N,)`` or soft targets ``(N, K)``.
    alpha : float, default 1.0
        The Beta parameter, ``> 0``; small values keep most examples nearly unmixed.
    num_classes : int, optional
        Number of classes ``K``; required when ``y`` holds class indices.
    generator : torch.Generator, optional
        CPU generator of the draws (the permutation, then a seed for the Beta draws); ``None`` uses torch's
        default generator.

    Returns
    -------
    mixed : torch.Tensor
        The mixed images, shape ``(N, C, H, W)``.
    targets : torch.Tensor
        The soft targets, shape ``(N, K)``.
    """
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

    Parameters
    ----------
    lam : torch.Tensor
        The drawn :math:`\\lambda`, shape ``(N,)``, each in ``[0, 1]``.
    centres : torch.Tensor
        Integer box centres ``(row, col)``, shape ``(N, 2)``.
    size : tuple of (int, int)
        The image size ``(H, W)``.

    Returns
    -------
    tuple of torch.Tensor
        ``(top, left, bottom, right, lam_corrected)``, each of shape ``(N,)`` on the CPU: the box rows
        ``[top, bottom)`` and columns ``[left, right)`` (int64), and the corrected :math:`\\lambda` (float64).
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
    """Copy the box ``[top_i, bottom_i) × [left_i, right_i)`` of ``source[i]`` into ``x[i]``, for every ``i`` at once.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    source : torch.Tensor
        The images to copy from, shape ``(N, C, H, W)`` (e.g. ``x[perm]``), on ``x``'s device.
    top, left, bottom, right : torch.Tensor
        Integer box bounds, each of shape ``(N,)``: rows ``[top, bottom)`` and columns ``[left, right)``.

    Returns
    -------
    torch.Tensor
        A new batch, shape ``(N, C, H, W)``: ``source`` inside the boxes, ``x`` elsewhere.
    """
    x = check_batch(x)
    box = [torch.as_tensor(v).long().to(x.device) for v in (top, left, bottom, right)]
    return torch.where(_box_mask(*box, x.shape[2], x.shape[3]), source, x)


def cutmix(
    x: torch.Tensor,
    y: torch.Tensor,
    alpha: float = 1.0,
    *,
    num_classes: int | None = None,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """CutMix (Yun et al., 2019): paste a box of the partner image into each image; :math:`\\lambda_i \\sim
    \\mathrm{Beta}(\\alpha, \\alpha)` sets the box (:func:`cutmix_boxes`), and the targets are mixed with the
    *corrected* :math:`\\lambda` — the share of pixels that really come from the image itself.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    y : torch.Tensor
        Class indices ``(N,)`` or soft targets ``(N, K)``.
    alpha : float, default 1.0
        The Beta parameter, ``> 0``.
    num_classes : int, optional
        Number of classes ``K``; required when ``y`` holds class indices.
    generator : torch.Generator, optional
        CPU generator of the draws (the permutation, a seed for the Beta draws, then the box centres' rows and
        columns); ``None`` uses torch's default generator.

    Returns
    -------
    pasted : torch.Tensor
        The images with the partners' boxes pasted in, shape ``(N, C, H, W)``.
    targets : torch.Tensor
        The soft targets mixed with the corrected :math:`\\lambda`, shape ``(N, K)``.
    """
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
