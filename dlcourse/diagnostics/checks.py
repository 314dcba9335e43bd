"""The sanity checks of chapter 7, to run *before* tuning: the initial loss, regularization raising the loss,
overfitting a tiny subset, the gradient check, update-to-weight ratios and dead units.

Each returns a :class:`CheckResult` whose ``passed`` says whether the model looks healthy, and whose text says why."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_positive, check_positive_int, check_tensor
from .layers import dead_units, record_layers

__all__ = [
    "CheckResult",
    "expected_initial_loss",
    "check_initial_loss",
    "check_regularization_raises_loss",
    "check_overfit_tiny",
    "gradient_check",
    "update_to_weight_ratios",
    "check_update_ratios",
    "check_dead_units",
]


@dataclass
class CheckResult:
    """Verdict of one sanity check: the measured ``value``, what was ``expected``, and a short ``detail``.

    Parameters
    ----------
    name : str
        The check's name.
    passed : bool
        Whether the model looks healthy on this check.
    value : float
        The measured number.
    expected : float or str
        The expected value, or a description of the accepted range (``"<= 0.05"``).
    detail : str, default ""
        A short explanation, printed after the verdict.
    """

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

    Parameters
    ----------
    n_classes : int
        Number of classes :math:`C`; must be >= 1.

    Returns
    -------
    float
        :math:`\log C`.
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

    Parameters
    ----------
    model : nn.Module
        The untrained model; evaluated in eval mode, its mode is restored afterwards.
    X : torch.Tensor
        A batch of inputs.
    y : torch.Tensor
        Their class labels.
    n_classes : int, optional
        Number of classes :math:`C`; ``None``: the last dimension of the output (2 for a single output).
    loss_fn : callable, default ``torch.nn.functional.cross_entropy``
        ``loss_fn(model(X), y) -> scalar``.
    rtol : float, default 0.2
        Accepted relative deviation from :math:`\log C`; must be > 0.

    Returns
    -------
    CheckResult
        ``value`` is the initial loss, ``expected`` :math:`\log C`.
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

    Parameters
    ----------
    loss_with_penalty : callable
        ``loss_with_penalty(alpha) -> torch.Tensor``, the objective at the current weights; called with 0 and
        ``strength``, without gradients.
    strength : float, default 1e-2
        The strength to compare with 0; must be > 0.

    Returns
    -------
    CheckResult
        ``value`` is the increase of the loss; passes when it is > 0.
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

    Parameters
    ----------
    model : nn.Module
        The model, trained in place.
    X : torch.Tensor
        Inputs; the first ``n`` are used.
    y : torch.Tensor
        Targets; the first ``n`` are used.
    n : int, default 20
        Number of examples; must be >= 1.
    epochs : int, default 200
        Full-batch epochs (one step each).
    lr : float, default 1e-2
        Learning rate of :func:`~dlcourse.training.fit`'s optimizer (Adam by default).
    loss_fn : callable, default ``torch.nn.functional.cross_entropy``
        The training loss.
    max_loss : float, default 0.05
        The training loss to get below (or to).
    seed : int, default 0
        Seed of the training run.
    **fit_kwargs
        Further keywords of :func:`~dlcourse.training.fit` (``optimizer``, ``device``, ...).

    Returns
    -------
    CheckResult
        ``value`` is the final training loss on the ``n`` examples.
    """
    from ..training import evaluate, fit

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

    Parameters
    ----------
    model : nn.Module
        The model (not modified: the check runs on a float64 copy).
    X : torch.Tensor
        A few inputs.
    y : torch.Tensor
        Their targets.
    loss_fn : callable, default ``torch.nn.functional.cross_entropy``
        ``loss_fn(model(X), y) -> scalar``.
    **kwargs
        Keywords of :func:`~dlcourse.gradcheck.check_model_gradients` (``eps``, ``threshold``, ``floor``).

    Returns
    -------
    CheckResult
        ``value`` is the worst relative error over all parameters.
    """
    from ..gradcheck import check_model_gradients

    report = check_model_gradients(model, loss_fn, check_tensor(X, "X"), check_tensor(y, "y"), **kwargs)
    worst = report.worst()
    return CheckResult(
        "gradient check",
        report.passed,
        worst.max_rel_error,
        f"<= {report.threshold:.0e}",
        f"worst parameter {worst.name}",
    )


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

    Parameters
    ----------
    model : nn.Module
        The model; every parameter with two or more dimensions counts as a weight matrix.
    X : torch.Tensor
        A batch of inputs.
    y : torch.Tensor
        Their targets.
    optimizer : torch.optim.Optimizer
        The optimizer over ``model``'s parameters; its gradients are zeroed before the step.
    loss_fn : callable, default ``torch.nn.functional.cross_entropy``
        ``loss_fn(model(X), y) -> scalar``.

    Returns
    -------
    dict of str to float
        The ratio per weight, by parameter name.
    """
    X, y = check_tensor(X, "X"), check_tensor(y, "y")
    weights = {n: p for n, p in model.named_parameters() if p.ndim >= 2}
    before = {n: p.detach().clone() for n, p in weights.items()}
    optimizer.zero_grad(set_to_none=True)
    loss_fn(model(X), y).backward()
    optimizer.step()
    return {n: float((p.detach() - before[n]).norm() / before[n].norm().clamp(min=1e-12)) for n, p in weights.items()}


def check_update_ratios(ratios: dict[str, float], *, low: float = 1e-5, high: float = 1e-2) -> CheckResult:
    """Pass when every update-to-weight ratio lies in ``[low, high]``.

    Parameters
    ----------
    ratios : dict of str to float
        The ratios of :func:`update_to_weight_ratios`; must not be empty.
    low : float, default 1e-5
        Smallest healthy ratio.
    high : float, default 1e-2
        Largest healthy ratio.

    Returns
    -------
    CheckResult
        ``value`` is the worst ratio, the largest ``max(r / high, low / r)`` (furthest outside the range, or
        closest to leaving it), named in ``detail``.
    """
    worst = max(ratios.values(), key=lambda r: max(r / high, low / max(r, 1e-30)))
    name = next(n for n, r in ratios.items() if r == worst)
    passed = all(low <= r <= high for r in ratios.values())
    return CheckResult("update/weight ratio", passed, worst, f"in [{low:g}, {high:g}]", f"worst at {name}")


def check_dead_units(model: nn.Module, X: torch.Tensor, *, max_fraction: float = 0.5) -> CheckResult:
    """Pass when no activation layer has more than ``max_fraction`` of its units dead on ``X``.

    Parameters
    ----------
    model : nn.Module
        The network; its layers of ``ACTIVATION_TYPES`` are checked (see :func:`dead_units`).
    X : torch.Tensor
        A batch of inputs.
    max_fraction : float, default 0.5
        Largest accepted share of dead units in a layer.

    Returns
    -------
    CheckResult
        ``value`` is the largest share of dead units (0 if there is no activation layer).
    """
    counts = dead_units(model, X)
    widths = [r.output[0].numel() for r in record_layers(model, X)]
    fractions = [c / w for c, w in zip(counts, widths)] or [0.0]
    worst = max(fractions)
    return CheckResult("dead units", worst <= max_fraction, worst, f"<= {max_fraction:g}", f"dead per layer {counts}")
