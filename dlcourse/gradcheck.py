r"""Gradient checking: compare an analytic gradient with central finite differences.

For a scalar function :math:`f` of tensors, the central difference along coordinate :math:`i`

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

has an error of order :math:`h^2` (the one-sided difference only :math:`h`). Each entry is
compared with the analytic gradient :math:`g_i` through the *relative error*

.. math:: r_i = \frac{|g_i - \tilde g_i|}{\max(|g_i|, |\tilde g_i|, \tau)}

with a floor :math:`\tau` (``floor``, default :math:`10^{-8}`) so that two tiny numbers do not
produce a large ratio. Computations run in float64; with :math:`h = 10^{-6}` a correct gradient
gives :math:`r \lesssim 10^{-7}`, so the default verdict threshold is
:data:`DEFAULT_THRESHOLD` :math:`= 10^{-5}`. A wrong gradient gives errors near 1. Between the
two, suspect a kink (ReLU at exactly 0, ``max``, ``abs``): a step of size :math:`h` across a
kink makes the finite difference itself wrong.

Examples
--------
>>> import torch
>>> x = torch.tensor([0.5, -1.0, 2.0])
>>> report = gradcheck(lambda t: (t ** 3).sum(), [x], analytic=lambda t: [3 * t ** 2])
>>> report.passed
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from torch import nn

from ._checks import check_positive, check_tensor

__all__ = [
    "DEFAULT_THRESHOLD",
    "numerical_gradient",
    "autograd_gradient",
    "relative_error",
    "GradCheckEntry",
    "GradCheckReport",
    "gradcheck",
    "check_model_gradients",
]

#: Largest relative error (float64, ``eps=1e-6``) for which a gradient is declared correct.
DEFAULT_THRESHOLD = 1e-5


def _scalar(out) -> torch.Tensor:
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"fn must return a scalar, got {shape}")
    return out


def numerical_gradient(
    fn: Callable[..., torch.Tensor], inputs: Sequence[torch.Tensor], eps: float = 1e-6
) -> list[torch.Tensor]:
    """Central-difference gradient of the scalar ``fn(*inputs)`` w.r.t. every input, in float64.

    Parameters
    ----------
    fn : callable
        ``fn(*inputs)`` returns a one-element tensor; it is called with float64 copies of the inputs.
    inputs : sequence of torch.Tensor
        Floating-point tensors (left unchanged).
    eps : float, default 1e-6
        The step :math:`h`; must be > 0.

    Returns
    -------
    list of torch.Tensor
        One float64 gradient per input, of the input's shape.
    """
    eps = check_positive(eps, "eps")
    xs = [
        check_tensor(x, f"inputs[{i}]", floating=True).detach().to(torch.float64).clone() for i, x in enumerate(inputs)
    ]
    grads = []
    with torch.no_grad():
        for x in xs:
            grad = torch.zeros_like(x)
            flat, gflat = x.view(-1), grad.view(-1)
            for i in range(flat.numel()):
                original = flat[i].item()
                flat[i] = original + eps
                plus = float(_scalar(fn(*xs)))
                flat[i] = original - eps
                minus = float(_scalar(fn(*xs)))
                flat[i] = original
                gflat[i] = (plus - minus) / (2 * eps)
            grads.append(grad)
    return grads


def autograd_gradient(fn: Callable[..., torch.Tensor], inputs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """Gradient of the scalar ``fn(*inputs)`` by back-propagation, in float64.

    Parameters
    ----------
    fn : callable
        ``fn(*inputs)`` returns a one-element tensor; it is called with float64 copies of the inputs.
    inputs : sequence of torch.Tensor
        Floating-point tensors (left unchanged).

    Returns
    -------
    list of torch.Tensor or None
        One float64 gradient per input, of the input's shape; None for an input ``fn`` does not use.
    """
    xs = [x.detach().to(torch.float64).clone().requires_grad_(True) for x in inputs]
    return list(torch.autograd.grad(_scalar(fn(*xs)), xs, allow_unused=True))


def relative_error(analytic: torch.Tensor, numeric: torch.Tensor, floor: float = 1e-8) -> torch.Tensor:
    r"""Element-wise :math:`|a - n| / \max(|a|, |n|, \text{floor})`.

    Parameters
    ----------
    analytic, numeric : torch.Tensor
        The two gradients :math:`a` and :math:`n`, of one shape (or broadcastable).
    floor : float, default 1e-8
        The floor of the denominator.

    Returns
    -------
    torch.Tensor
        The relative errors, float64.
    """
    a, n = analytic.to(torch.float64), numeric.to(torch.float64)
    return (a - n).abs() / torch.maximum(torch.maximum(a.abs(), n.abs()), torch.tensor(floor, dtype=torch.float64))


@dataclass
class GradCheckEntry:
    """Result for one input (or one parameter).

    Parameters
    ----------
    name : str
        The input's or parameter's name.
    max_abs_error : float
        The largest absolute difference between the two gradients.
    max_rel_error : float
        The largest relative error (:func:`relative_error`).
    passed : bool
        Whether ``max_rel_error <= threshold`` (an empty input passes).
    """

    name: str
    max_abs_error: float
    max_rel_error: float
    passed: bool


@dataclass
class GradCheckReport:
    """All entries and the overall verdict.

    Parameters
    ----------
    entries : list of GradCheckEntry
        One entry per input (or parameter).
    threshold : float
        The largest relative error that passes.
    """

    entries: list[GradCheckEntry]
    threshold: float

    @property
    def passed(self) -> bool:
        """Whether every entry passed."""
        return all(e.passed for e in self.entries)

    def worst(self) -> GradCheckEntry:
        """The entry with the largest relative error.

        Returns
        -------
        GradCheckEntry
            That entry (``entries`` must not be empty).
        """
        return max(self.entries, key=lambda e: e.max_rel_error)

    def __str__(self) -> str:
        lines = [f"gradient check (threshold {self.threshold:.0e}): {'PASSED' if self.passed else 'FAILED'}"]
        lines += [
            f"  {'ok ' if e.passed else 'BAD'} {e.name}: max relative error {e.max_rel_error:.2e}" for e in self.entries
        ]
        return "\n".join(lines)


def _compare(names, analytic, numeric, threshold, floor) -> GradCheckReport:
    entries = []
    for name, a, n in zip(names, analytic, numeric):
        a = torch.zeros_like(n) if a is None else a.detach().to(torch.float64).reshape(n.shape)
        rel = relative_error(a, n, floor)
        entries.append(
            GradCheckEntry(
                name,
                float((a - n).abs().max()) if n.numel() else 0.0,
                float(rel.max()) if n.numel() else 0.0,
                bool(rel.max() <= threshold) if n.numel() else True,
            )
        )
    return GradCheckReport(entries, threshold)


def gradcheck(
    fn: Callable[..., torch.Tensor],
    inputs: Sequence[torch.Tensor],
    *,
    analytic: Callable[..., Sequence[torch.Tensor]] | None = None,
    names: Sequence[str] | None = None,
    eps: float = 1e-6,
    threshold: float = DEFAULT_THRESHOLD,
    floor: float = 1e-8,
) -> GradCheckReport:
    """Check a gradient of the scalar ``fn(*inputs)`` against central finite differences.

    Parameters
    ----------
    fn : callable
        ``fn(*inputs)`` returns a one-element tensor; it is called with float64 copies of the inputs.
    inputs : sequence of torch.Tensor
        The floating-point points to check at (left unchanged).
    analytic : callable or None, default None
        Keyword-only: ``analytic(*inputs)`` returns one gradient per input (your hand-derived formula),
        called with the inputs detached and in float64; a None gradient counts as zeros. Without it,
        autograd's gradient of ``fn`` is checked (useful for a custom ``autograd.Function``).
    names : sequence of str or None, default None
        Keyword-only: one name per input for the report (None: ``"input 0"``, ``"input 1"``, ...).
    eps : float, default 1e-6
        Keyword-only: the finite-difference step :math:`h`; must be > 0.
    threshold : float, default ``DEFAULT_THRESHOLD`` (1e-5)
        Keyword-only: the largest relative error that passes; must be > 0.
    floor : float, default 1e-8
        Keyword-only: the floor τ of the relative error's denominator.

    Returns
    -------
    GradCheckReport
        One entry per input.
    """
    threshold = check_positive(threshold, "threshold")
    inputs = list(inputs)
    names = list(names) if names is not None else [f"input {i}" for i in range(len(inputs))]
    numeric = numerical_gradient(fn, inputs, eps)
    if analytic is None:
        grads = autograd_gradient(fn, inputs)
    else:
        grads = list(analytic(*[x.detach().to(torch.float64) for x in inputs]))
        if len(grads) != len(inputs):
            raise ValueError(f"analytic returned {len(grads)} gradients for {len(inputs)} inputs")
    return _compare(names, grads, numeric, threshold, floor)


def check_model_gradients(
    model: nn.Module,
    loss_fn: Callable,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float = 1e-6,
    threshold: float = DEFAULT_THRESHOLD,
    floor: float = 1e-8,
) -> GradCheckReport:
    """Check the back-propagated gradient of ``loss_fn(model(X), y)`` for every parameter.

    Works on a float64 copy of ``model``; meant for small models (one loss evaluation per
    parameter entry and direction).

    Parameters
    ----------
    model : torch.nn.Module
        The model (left unchanged); every parameter with ``requires_grad`` is checked.
    loss_fn : callable
        ``loss_fn(model(X), y)`` returns a one-element tensor.
    X : torch.Tensor
        The inputs (used in float64).
    y : torch.Tensor
        The targets (used in float64 if they are floating point, as they are otherwise).
    eps : float, default 1e-6
        Keyword-only: the finite-difference step :math:`h`; must be > 0.
    threshold : float, default ``DEFAULT_THRESHOLD`` (1e-5)
        Keyword-only: the largest relative error that passes; must be > 0.
    floor : float, default 1e-8
        Keyword-only: the floor τ of the relative error's denominator.

    Returns
    -------
    GradCheckReport
        One entry per checked parameter, named as in ``model.named_parameters()``.
    """
    import copy

    probe = copy.deepcopy(model).to(torch.float64)
    names, params = zip(*[(n, p) for n, p in probe.named_parameters() if p.requires_grad])
    X64 = X.to(torch.float64)
    y64 = y.to(torch.float64) if y.is_floating_point() else y
    probe.zero_grad(set_to_none=True)
    loss_fn(probe(X64), y64).backward()
    analytic = [p.grad.detach().clone() if p.grad is not None else None for p in params]

    def loss_of(*values):
        with torch.no_grad():
            for p, v in zip(params, values):
                p.copy_(v)
        return loss_fn(probe(X64), y64)

    originals = [p.detach().clone() for p in params]
    numeric = numerical_gradient(loss_of, originals, eps)
    loss_of(*originals)  # leave the probe as it was
    return _compare(names, analytic, numeric, threshold, floor)
