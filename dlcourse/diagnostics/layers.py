"""Looking at each layer of a network: its outputs and gradients on a batch (:func:`record_layers`), their
statistics (:func:`layer_stats`), and its dead and distinct units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_nonnegative, check_tensor
from ..activations import Activation, PReLU

__all__ = [
    "ACTIVATION_TYPES",
    "LayerRecord",
    "record_layers",
    "dead_units",
    "distinct_units",
    "LayerStats",
    "layer_stats",
]


#: Module types treated as "an activation layer" when none are named explicitly.
#: :meta hide-value:
ACTIVATION_TYPES: tuple[type, ...] = (
    Activation,
    PReLU,
    nn.ReLU,
    nn.LeakyReLU,
    nn.RReLU,
    nn.PReLU,
    nn.ELU,
    nn.SELU,
    nn.GELU,
    nn.Sigmoid,
    nn.Tanh,
    nn.Softplus,
    nn.Identity,
)


@dataclass
class LayerRecord:
    """What one layer produced on a batch: its output, and the loss's gradient w.r.t. that output.

    Parameters
    ----------
    name : str
        Qualified name of the layer in the model (``"net.1"``).
    output : torch.Tensor
        The layer's output on the batch, detached; first dimension the batch.
    grad : torch.Tensor or None, default None
        Gradient of the loss w.r.t. ``output`` (same shape); ``None`` when no loss was back-propagated.
    """

    name: str
    output: torch.Tensor
    grad: torch.Tensor | None = None


def record_layers(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor | None = None,
    *,
    loss_fn: Callable = F.cross_entropy,
    layer_types: tuple[type, ...] = ACTIVATION_TYPES,
) -> list[LayerRecord]:
    """Run ``model`` on ``X`` and record each matching layer's output (and, with ``y``, its gradient).

    Gradients are taken of ``loss_fn(model(X), y)`` w.r.t. each recorded output, i.e. the
    signal that back-propagation sends into that layer. Parameters' ``.grad`` are left as
    they were. The model's train/eval mode is not changed.

    Parameters
    ----------
    model : nn.Module
        The network; its submodules (not the model itself) that are instances of ``layer_types`` are recorded.
    X : torch.Tensor
        A batch of inputs, e.g. ``(N, D)`` or ``(N, C, H, W)``.
    y : torch.Tensor, optional
        Targets for ``X``; without them no gradient is taken (``grad`` is ``None``).
    loss_fn : callable, default ``torch.nn.functional.cross_entropy``
        ``loss_fn(model(X), y) -> scalar``.
    layer_types : tuple of type, default ``ACTIVATION_TYPES``
        Module types to record.

    Returns
    -------
    list of LayerRecord
        One record per call of a matching layer, in the order of the forward pass.
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
def dead_units(model: nn.Module, X: torch.Tensor, *, layer_types: tuple[type, ...] = ACTIVATION_TYPES) -> list[int]:
    """Per activation layer, the number of units whose output is exactly 0 for *every* input in ``X``.

    For ReLU such a unit also has zero gradient for every input: it can never learn again
    (a "dead ReLU"). Unit ``j`` of a layer is column ``j`` of its ``(n, units)`` output. A unit whose
    output is NaN is not dead: a diverged network has NaN everywhere and no dead units, so check
    that the loss is finite before reading this count.

    Parameters
    ----------
    model : nn.Module
        The network.
    X : torch.Tensor
        A batch of inputs; outputs are flattened to ``(n, units)``, so for a convolution every
        (channel, position) is a unit.
    layer_types : tuple of type, default ``ACTIVATION_TYPES``
        Module types counted as activation layers.

    Returns
    -------
    list of int
        The number of dead units of each recorded layer, in forward order.
    """
    return [
        int((r.output.reshape(r.output.shape[0], -1) == 0).all(dim=0).sum())
        for r in record_layers(model, X, layer_types=layer_types)
    ]


@torch.no_grad()
def distinct_units(layer: nn.Module | torch.Tensor, tol: float = 1e-6) -> int:
    r"""Number of *different* units of a layer: rows of its weight (with their bias) that differ by more than ``tol``.

    Unit :math:`j` of a Linear or Conv layer is the vector :math:`u_j = (W_j, b_j)`: row :math:`j` of
    the weight, flattened, followed by its bias when the layer has one. Units :math:`j` and :math:`k`
    count as one when :math:`\max_i |u_{j,i} - u_{k,i}| \le \text{tol}`. Units are taken in order,
    each compared with the different ones kept so far; with ``tol=0`` the count is the number of
    unique rows. A tensor may be passed instead of a layer: its rows (its entries, if it is 1-D) are
    the units, e.g. a weight's gradient. The small default ``tol`` absorbs the last-digit differences
    that a matrix product's summation order can leave between units that are equal in exact arithmetic.

    Constant weights leave every hidden layer with 1 distinct unit however long it trains (the
    symmetry problem); random weights give as many distinct units as the layer has.

    Parameters
    ----------
    layer : nn.Module or torch.Tensor
        A module with a ``weight`` tensor (and optionally a ``bias``), or a tensor of at least one dimension.
    tol : float, default 1e-6
        Largest absolute difference between units counted as one; must be >= 0.

    Returns
    -------
    int
        The number of distinct units, between 1 and the number of rows.

    Raises
    ------
    TypeError
        If ``layer`` is neither a tensor nor a module with a weight tensor.
    ValueError
        If it is a 0-d tensor.

    Examples
    --------
    >>> layer = torch.nn.Linear(3, 4)
    >>> _ = torch.nn.init.constant_(layer.weight, 0.1)
    >>> _ = torch.nn.init.zeros_(layer.bias)
    >>> distinct_units(layer)
    1
    >>> distinct_units(torch.tensor([[1.0, 2.0], [1.0 + 1e-7, 2.0], [0.0, 2.0]]))
    2
    """
    tol = check_nonnegative(tol, "tol")
    if isinstance(layer, torch.Tensor):
        units = layer
    elif isinstance(layer, nn.Module) and isinstance(getattr(layer, "weight", None), torch.Tensor):
        units = layer.weight.reshape(layer.weight.shape[0], -1)
        bias = getattr(layer, "bias", None)
        if isinstance(bias, torch.Tensor):
            units = torch.cat([units, bias.reshape(-1, 1)], dim=1)
    else:
        raise TypeError(f"layer must be a torch.Tensor or a module with a weight tensor, got {type(layer).__name__}")
    if units.ndim == 0:
        raise ValueError("layer must have at least one dimension, got a 0-d tensor")
    units = units.detach().reshape(units.shape[0], -1).to("cpu", torch.float64)
    gaps = torch.cdist(units, units, p=float("inf")) if units.shape[1] else torch.zeros(len(units), len(units))
    kept: list[int] = []
    for j in range(len(units)):
        if not kept or not bool((gaps[j, kept] <= tol).any()):
            kept.append(j)
    return len(kept)


@dataclass
class LayerStats:
    """Summary of one layer's activations and of the gradient flowing into them.

    Parameters
    ----------
    name : str
        Qualified name of the layer.
    act_mean, act_std : float
        Mean and standard deviation of its outputs.
    frac_zero : float
        Share of its outputs that are exactly 0.
    dead : int
        Number of units that are 0 for every input.
    grad_std : float or None
        Standard deviation of the loss's gradient w.r.t. the outputs; ``None`` without targets.
    """

    name: str
    act_mean: float
    act_std: float
    frac_zero: float
    dead: int
    grad_std: float | None


def layer_stats(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor | None = None,
    *,
    loss_fn: Callable = F.cross_entropy,
    layer_types: tuple[type, ...] = ACTIVATION_TYPES,
) -> list[LayerStats]:
    """Per activation layer: mean and std of the outputs, the share of exact zeros, the number of
    dead units (zero for every input, see :func:`dead_units`), and the std of the gradient.

    Healthy layers keep activation and gradient stds of similar size from layer to layer;
    shrinking stds signal vanishing signals, a growing share of zeros dying ReLUs.
    Built on :func:`record_layers`.

    Parameters
    ----------
    model : nn.Module
        The network.
    X : torch.Tensor
        A batch of inputs.
    y : torch.Tensor, optional
        Their targets; without them ``grad_std`` is ``None``.
    loss_fn : callable, default ``torch.nn.functional.cross_entropy``
        ``loss_fn(model(X), y) -> scalar``.
    layer_types : tuple of type, default ``ACTIVATION_TYPES``
        Module types to summarise.

    Returns
    -------
    list of LayerStats
        One entry per recorded layer, in forward order.
    """
    stats = []
    for r in record_layers(model, X, y, loss_fn=loss_fn, layer_types=layer_types):
        out = r.output.reshape(r.output.shape[0], -1)
        stats.append(
            LayerStats(
                r.name,
                float(out.mean()),
                float(out.std()),
                float((out == 0).float().mean()),
                int((out == 0).all(dim=0).sum()),
                None if r.grad is None else float(r.grad.std()),
            )
        )
    return stats
