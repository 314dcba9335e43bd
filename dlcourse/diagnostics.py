"""Looking inside a network: per-layer activations and gradients, dead units.

The first part (:func:`record_layers`, :func:`dead_units`) lets every chapter *see* what
training does to each layer. The second part, from chapter 7 (methodology), is the list of
sanity checks to run before tuning: the initial loss, regularization raising the loss,
overfitting a tiny subset, the gradient check, NaN hunting, layer statistics,
update-to-weight ratios, dead units and the worst examples for error analysis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_nonnegative, check_number, check_positive, check_positive_int, check_tensor
from .activations import Activation, PReLU

__all__ = [
    "ACTIVATION_TYPES",
    "LayerRecord",
    "record_layers",
    "dead_units",
    "distinct_units",
    "CheckResult",
    "expected_initial_loss",
    "check_initial_loss",
    "check_regularization_raises_loss",
    "check_overfit_tiny",
    "gradient_check",
    "NanReport",
    "find_nan",
    "LayerStats",
    "layer_stats",
    "update_to_weight_ratios",
    "check_update_ratios",
    "check_dead_units",
    "worst_examples",
    "REMEDIES",
    "performance_gaps",
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
    """What one layer produced on a batch: its output, and the loss's gradient w.r.t. that output."""

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


# =========================================================================== sanity checks
# Chapter 7: checks to run *before* tuning. Each returns a :class:`CheckResult` whose
# ``passed`` says whether the model looks healthy, and whose text says why.


@dataclass
class CheckResult:
    """Verdict of one sanity check: the measured ``value``, what was ``expected``, and a short ``detail``."""

    name: str
    passed: bool
    value: float
    expected: float | str
    detail: str = ""

    def __str__(self) -> str:
        expected = f"{self.expected:.4g}" if isinstance(self.expected, float) else self.expected
        return (
            f"{'PASS' if self.passed else 'FAIL'} {self.name}: {self.value:.4g} "
            f"(expected {expected}){' — ' + self.detail if self.detail else ''}"
        )


def expected_initial_loss(n_classes: int) -> float:
    r"""Cross-entropy of a model that has not learnt anything yet: :math:`-\log(1/C) = \log C`.

    With small random weights the logits are all close to 0, the softmax is close to uniform,
    and every example costs :math:`-\log(1/C)` (2.303 for 10 classes, 0.693 for 2).
    """
    return math.log(check_positive_int(n_classes, "n_classes"))


@torch.no_grad()
def check_initial_loss(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    n_classes: int | None = None,
    loss_fn: Callable = F.cross_entropy,
    rtol: float = 0.2,
) -> CheckResult:
    r"""Is the loss of the untrained ``model`` within ``rtol`` (relative) of :math:`\log C`?

    A much larger initial loss means over-confident random outputs (weights too large, a
    wrong output scale or bias); a much smaller one, that the labels leak into the inputs or
    the loss is not the one intended.
    """
    X, y = check_tensor(X, "X"), check_tensor(y, "y")
    rtol = check_positive(rtol, "rtol")
    was_training = model.training
    model.eval()
    out = model(X)
    model.train(was_training)
    n_classes = n_classes or (out.shape[-1] if out.ndim > 1 and out.shape[-1] > 1 else 2)
    expected = expected_initial_loss(n_classes)
    loss = float(loss_fn(out, y))
    passed = abs(loss - expected) <= rtol * expected
    return CheckResult("initial loss", passed, loss, expected, f"log({n_classes}) ± {rtol:.0%}")


def check_regularization_raises_loss(
    loss_with_penalty: Callable[[float], torch.Tensor], *, strength: float = 1e-2
) -> CheckResult:
    r"""Does turning regularization on raise the loss? ``loss_with_penalty(alpha)`` returns the
    full training objective :math:`L + \alpha\,\Omega(w)` for a strength ``alpha``.

    At the same weights, :math:`\Omega(w) > 0` means the loss with ``strength`` must exceed the
    loss with 0. If it does not, the penalty is ignored or has the wrong sign.
    """
    strength = check_positive(strength, "strength")
    with torch.no_grad():
        base, regularized = float(loss_with_penalty(0.0)), float(loss_with_penalty(strength))
    return CheckResult(
        "regularization raises the loss",
        regularized > base,
        regularized - base,
        "> 0",
        f"loss {base:.4f} → {regularized:.4f} with strength {strength:g}",
    )


def check_overfit_tiny(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    n: int = 20,
    epochs: int = 200,
    lr: float = 1e-2,
    loss_fn: Callable = F.cross_entropy,
    max_loss: float = 0.05,
    seed: int = 0,
    **fit_kwargs,
) -> CheckResult:
    """Can ``model`` drive the training loss on ``n`` examples below ``max_loss``?

    Any reasonable network can memorise a handful of examples; if it cannot, something in
    the model, the loss or the loop is broken (a detached layer, a double softmax, a zero
    learning rate...). Trains ``model`` in place with :func:`dlcourse.training.fit` (full batch).
    """
    from .training import evaluate, fit

    n = check_positive_int(n, "n")
    X, y = check_tensor(X, "X")[:n], check_tensor(y, "y")[:n]
    fit(
        model,
        (X, y),
        epochs=epochs,
        lr=lr,
        loss_fn=loss_fn,
        metric=None,
        batch_size=n,
        seed=seed,
        progress=False,
        **fit_kwargs,
    )
    loss, _ = evaluate(model, (X, y), loss_fn=loss_fn, metric=None)
    return CheckResult(
        f"overfit {n} examples", loss <= max_loss, loss, f"<= {max_loss:g}", f"after {epochs} full-batch epochs"
    )


def gradient_check(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, loss_fn: Callable = F.cross_entropy, **kwargs
) -> CheckResult:
    """Back-propagated gradients vs central finite differences, for every parameter.

    Delegates to :func:`dlcourse.gradcheck.check_model_gradients` (float64; use a small model
    and a few examples); passes when the worst relative error is below its threshold.
    """
    from .gradcheck import check_model_gradients

    report = check_model_gradients(model, loss_fn, check_tensor(X, "X"), check_tensor(y, "y"), **kwargs)
    worst = report.worst()
    return CheckResult(
        "gradient check",
        report.passed,
        worst.max_rel_error,
        f"<= {report.threshold:.0e}",
        f"worst parameter {worst.name}",
    )


@dataclass
class NanReport:
    """Where a non-finite value first appeared: the forward layer and/or the backward op."""

    found: bool
    layer: str | None = None
    op: str | None = None
    message: str = ""

    def __str__(self) -> str:
        if not self.found:
            return "no NaN or inf in the forward pass, no NaN in the backward pass"
        parts = (
            ([f"first non-finite output at layer {self.layer!r}"] if self.layer else [])
            + ([f"backward op {self.op} returned NaN"] if self.op else [])
            + ([] if self.layer or self.op else [self.message])
        )
        return "; ".join(parts)


def find_nan(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    loss_fn: Callable = F.cross_entropy,
    layer_types: tuple[type, ...] = (nn.Module,),
) -> NanReport:
    """Hunt for NaN: the first layer whose forward output is not finite, and the backward op
    that produced a NaN gradient, named by ``torch.autograd.detect_anomaly``.

    Anomaly mode checks every backward function's output and raises ``RuntimeError`` naming
    the first one that returns NaN (e.g. ``LogBackward0`` for ``log`` of a 0 probability).
    It makes back-propagation slow: use it to debug, not to train.
    """
    import re
    import warnings

    X, y = check_tensor(X, "X"), check_tensor(y, "y")
    layer = None
    with torch.no_grad():
        for record in record_layers(model, X, layer_types=layer_types):
            if not torch.isfinite(record.output).all():
                layer = record.name
                break
    op, message = None, ""
    saved_grads = {p: p.grad for p in model.parameters()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # anomaly mode warns with a machine-dependent traceback
            with torch.autograd.detect_anomaly():
                loss = loss_fn(model(X), y)
                loss.backward()
        if not torch.isfinite(loss):
            message = f"loss is {float(loss)}"
    except RuntimeError as exc:
        message = str(exc)
        match = re.search(r"Function '(\w+)' returned nan", message)
        op = match.group(1) if match else None
    finally:
        for p, g in saved_grads.items():
            p.grad = g
    return NanReport(bool(layer or op or message), layer, op, message)


@dataclass
class LayerStats:
    """Summary of one layer's activations and of the gradient flowing into them."""

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


def update_to_weight_ratios(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    *,
    loss_fn: Callable = F.cross_entropy,
) -> dict[str, float]:
    r"""Take one optimizer step on ``(X, y)`` and return, per weight matrix,
    :math:`\lVert\Delta W\rVert / \lVert W\rVert` (Frobenius norms).

    A rule of thumb: around :math:`10^{-3}` per step is healthy; :math:`10^{-1}` or more means
    the learning rate is too large (weights are rewritten every step), :math:`10^{-6}` that it
    is too small. The step is really taken: the model changes.
    """
    X, y = check_tensor(X, "X"), check_tensor(y, "y")
    weights = {n: p for n, p in model.named_parameters() if p.ndim >= 2}
    before = {n: p.detach().clone() for n, p in weights.items()}
    optimizer.zero_grad(set_to_none=True)
    loss_fn(model(X), y).backward()
    optimizer.step()
    return {n: float((p.detach() - before[n]).norm() / before[n].norm().clamp(min=1e-12)) for n, p in weights.items()}


def check_update_ratios(ratios: dict[str, float], *, low: float = 1e-5, high: float = 1e-2) -> CheckResult:
    """Pass when every update-to-weight ratio lies in ``[low, high]``."""
    worst = max(ratios.values(), key=lambda r: max(r / high, low / max(r, 1e-30)))
    name = next(n for n, r in ratios.items() if r == worst)
    passed = all(low <= r <= high for r in ratios.values())
    return CheckResult("update/weight ratio", passed, worst, f"in [{low:g}, {high:g}]", f"worst at {name}")


def check_dead_units(model: nn.Module, X: torch.Tensor, *, max_fraction: float = 0.5) -> CheckResult:
    """Pass when no activation layer has more than ``max_fraction`` of its units dead on ``X``."""
    counts = dead_units(model, X)
    widths = [r.output[0].numel() for r in record_layers(model, X)]
    fractions = [c / w for c, w in zip(counts, widths)] or [0.0]
    worst = max(fractions)
    return CheckResult("dead units", worst <= max_fraction, worst, f"<= {max_fraction:g}", f"dead per layer {counts}")


@torch.no_grad()
def worst_examples(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, k: int = 10, loss_fn: Callable = F.cross_entropy
) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices and losses of the ``k`` examples with the largest loss, worst first.

    Error analysis starts here: look at them. Mislabelled examples, a class the model
    confuses, a pre-processing bug — they all show up at the top of this list.
    ``loss_fn`` must accept ``reduction="none"`` (all of :mod:`dlcourse.losses` and
    ``torch.nn.functional``'s losses do).
    """
    X, y = check_tensor(X, "X"), check_tensor(y, "y")
    k = min(check_positive_int(k, "k"), len(X))
    was_training = model.training
    model.eval()
    losses = loss_fn(model(X), y, reduction="none").reshape(len(X), -1).mean(dim=1)
    model.train(was_training)
    values, idx = losses.topk(k)
    return idx, values


# =========================================================================== levels of performance
REMEDIES = {
    "avoidable bias": "bigger model, train longer / better optimizer, other architecture, less regularization",
    "variance": "more data, regularization (L2, dropout, augmentation, early stopping), other architecture",
    "data mismatch": "make training data more like the target data (collect, synthesise), analyse the errors",
}


def performance_gaps(
    human_error: float, train_error: float, val_error: float, train_dev_error: float | None = None
) -> dict:
    r"""The gaps between levels of performance (all given as *errors*, e.g. 1 − accuracy), and which to work on.

    * avoidable bias :math:`= E_\text{train} - E_\text{human}` (human-level error as a proxy for
      the Bayes error, the best any model can do);
    * variance :math:`= E_\text{train-dev} - E_\text{train}` (or :math:`E_\text{val} - E_\text{train}`
      without a train-dev set);
    * data mismatch :math:`= E_\text{val} - E_\text{train-dev}` (only with a train-dev set).

    Returns the gaps, the ``focus`` (the largest gap) and its remedies from ``REMEDIES``.
    """
    errors = {"human_error": human_error, "train_error": train_error, "val_error": val_error}
    if train_dev_error is not None:
        errors["train_dev_error"] = train_dev_error
    for name, value in errors.items():
        check_number(value, name)
    gaps = {"avoidable bias": train_error - human_error}
    if train_dev_error is None:
        gaps["variance"] = val_error - train_error
    else:
        gaps["variance"] = train_dev_error - train_error
        gaps["data mismatch"] = val_error - train_dev_error
    focus = max(gaps, key=gaps.get)
    return {**gaps, "focus": focus, "remedy": REMEDIES[focus]}
