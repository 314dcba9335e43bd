"""Looking inside a network: per-layer activations and gradients, dead units.

Chapter 7 (methodology) extends this module with the full list of sanity checks; the
pieces here are the ones every chapter needs to *see* what training does to each layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_tensor
from .activations import Activation, PReLU

#: Module types treated as "an activation layer" when none are named explicitly.
ACTIVATION_TYPES: tuple[type, ...] = (
    Activation, PReLU, nn.ReLU, nn.LeakyReLU, nn.RReLU, nn.PReLU, nn.ELU, nn.SELU, nn.GELU,
    nn.Sigmoid, nn.Tanh, nn.Softplus, nn.Identity,
)


@dataclass
class LayerRecord:
    """What one layer produced on a batch: its output, and the loss's gradient w.r.t. that output."""

    name: str
    output: torch.Tensor
    grad: torch.Tensor | None = None


def record_layers(model: nn.Module, X: torch.Tensor, y: torch.Tensor | None = None, *,
                  loss_fn: Callable = F.cross_entropy,
                  layer_types: tuple[type, ...] = ACTIVATION_TYPES) -> list[LayerRecord]:
    """Run ``model`` on ``X`` and record each matching layer's output (and, with ``y``, its gradient).

    Gradients are taken of ``loss_fn(model(X), y)`` w.r.t. each recorded output, i.e. the
    signal that back-propagation sends into that layer. Parameters' ``.grad`` are left as
    they were. The model's train/eval mode is not changed.
    """
    X = check_tensor(X, "X")
    records: list[LayerRecord] = []
    handles = []

    def hook(name):
        def save(module, inputs, output):
            if y is not None and output.requires_grad:
                output.retain_grad()
            records.append(LayerRecord(name, output))
        return save

    for name, module in model.named_modules():
        if isinstance(module, layer_types) and module is not model:
            handles.append(module.register_forward_hook(hook(name)))
    saved_grads = {p: p.grad for p in model.parameters()}
    try:
        with torch.set_grad_enabled(y is not None):
            out = model(X)
            if y is not None:
                loss_fn(out, y).backward()
    finally:
        for h in handles:
            h.remove()
        for p, g in saved_grads.items():
            p.grad = g
    return [LayerRecord(r.name, r.output.detach(), _retained_grad(r.output)) for r in records]


def _retained_grad(t: torch.Tensor) -> torch.Tensor | None:
    # .grad of a non-leaf that did not retain it would warn; such a tensor has no gradient to give.
    if t.requires_grad and not t.is_leaf and not t.retains_grad:
        return None
    return None if t.grad is None else t.grad.detach()


@torch.no_grad()
def dead_units(model: nn.Module, X: torch.Tensor, *,
               layer_types: tuple[type, ...] = ACTIVATION_TYPES) -> list[int]:
    """Per activation layer, the number of units whose output is exactly 0 for *every* input in ``X``.

    For ReLU such a unit also has zero gradient for every input: it can never learn again
    (a "dead ReLU"). Unit ``j`` of a layer is column ``j`` of its ``(n, units)`` output.
    """
    return [int((r.output.reshape(r.output.shape[0], -1) == 0).all(dim=0).sum())
            for r in record_layers(model, X, layer_types=layer_types)]
