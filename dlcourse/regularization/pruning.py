r"""Magnitude pruning: set the smallest weights to zero, per layer or over the whole model, and keep them there.

Examples
--------
>>> import torch
>>> layer = torch.nn.Linear(4, 1)
>>> _ = prune_by_magnitude(layer, 0.5)
>>> sparsity(layer)
0.5
"""

from __future__ import annotations

import torch

from .._checks import (
    check_choice,
    check_probability,
)
from .penalties import weight_parameters

__all__ = ["magnitude_masks", "prune_by_magnitude", "apply_masks", "sparsity"]


# --------------------------------------------------------------------------- pruning
def magnitude_masks(model, amount: float, *, scope: str = "global", **select) -> dict[str, torch.Tensor]:
    r"""Masks (1 keep, 0 prune) that remove the fraction ``amount`` of smallest-magnitude weights.

    ``scope="layer"``: in each tensor, the :math:`k = \operatorname{round}(\text{amount}\cdot n)` entries of smallest
    :math:`|w|` (as ``torch.nn.utils.prune.l1_unstructured``). ``scope="global"``: the smallest
    :math:`\operatorname{round}(\text{amount}\cdot N)` over all selected tensors together (as
    ``global_unstructured`` with ``L1Unstructured``), so layers lose different shares.

    Parameters
    ----------
    model : nn.Module or torch.Tensor or iterable of torch.Tensor
        The weights, as accepted by :func:`~dlcourse.regularization.weight_parameters`.
    amount : float
        Fraction of the weights to prune, in [0, 1].
    scope : {"global", "layer"}, default "global"
        Rank the weights over all selected tensors together, or within each tensor.
    **select
        Keywords of :func:`~dlcourse.regularization.weight_parameters` (``include_bias``, ``include_norm``).

    Returns
    -------
    dict of str to torch.Tensor
        One mask per selected parameter, by name, of the parameter's shape and dtype.

    Raises
    ------
    ValueError
        If ``amount`` or ``scope`` is invalid, or no parameter is selected.
    """
    amount = check_probability(amount, "amount")
    check_choice(scope, "scope", ("global", "layer"))
    params = weight_parameters(model, **select)
    if not params:
        raise ValueError("model has no parameters to prune")

    def mask_for(flat: torch.Tensor) -> torch.Tensor:
        mask = torch.ones_like(flat)
        k = round(amount * flat.numel())
        if k:
            mask[torch.topk(flat.abs(), k=k, largest=False).indices] = 0
        return mask

    if scope == "layer":
        return {name: mask_for(p.detach().reshape(-1)).reshape(p.shape) for name, p in params.items()}
    flat = mask_for(torch.cat([p.detach().reshape(-1) for p in params.values()]))
    masks, start = {}, 0
    for name, p in params.items():
        masks[name] = flat[start : start + p.numel()].reshape(p.shape)
        start += p.numel()
    return masks


@torch.no_grad()
def prune_by_magnitude(model, amount: float, *, scope: str = "global", **select) -> dict[str, torch.Tensor]:
    """Zero the weights chosen by :func:`magnitude_masks` in place and return the masks.

    The pruning is a one-off: further training can make the zeros non-zero again, unless the
    masks are re-applied after each step (:func:`apply_masks`).

    Parameters
    ----------
    model : nn.Module or torch.Tensor or iterable of torch.Tensor
        The weights, modified in place.
    amount : float
        Fraction of the weights to prune, in [0, 1].
    scope : {"global", "layer"}, default "global"
        As in :func:`magnitude_masks`.
    **select
        Keywords of :func:`~dlcourse.regularization.weight_parameters` (``include_bias``, ``include_norm``).

    Returns
    -------
    dict of str to torch.Tensor
        The masks of :func:`magnitude_masks` (1 keep, 0 pruned).
    """
    masks = magnitude_masks(model, amount, scope=scope, **select)
    apply_masks(model, masks, **select)
    return masks


@torch.no_grad()
def apply_masks(model, masks: dict[str, torch.Tensor], **select) -> None:
    """Multiply each selected parameter by its mask, in place.

    Parameters
    ----------
    model : nn.Module or torch.Tensor or iterable of torch.Tensor
        The weights, modified in place.
    masks : dict of str to torch.Tensor
        Masks by parameter name, as returned by :func:`magnitude_masks`; parameters without one are left alone.
    **select
        Keywords of :func:`~dlcourse.regularization.weight_parameters`; must match those the masks were made with.
    """
    for name, p in weight_parameters(model, **select).items():
        if name in masks:
            p.mul_(masks[name].to(p))


def sparsity(model, **select) -> float:
    """Share of the selected weights that are exactly zero.

    Parameters
    ----------
    model : nn.Module or torch.Tensor or iterable of torch.Tensor
        The weights, as accepted by :func:`~dlcourse.regularization.weight_parameters`.
    **select
        Keywords of :func:`~dlcourse.regularization.weight_parameters` (``include_bias``, ``include_norm``).

    Returns
    -------
    float
        In [0, 1]; 0 if no weight is selected.
    """
    params = list(weight_parameters(model, **select).values())
    total = sum(p.numel() for p in params)
    return sum(int((p == 0).sum()) for p in params) / max(total, 1)
