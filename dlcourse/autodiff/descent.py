"""Gradient descent: on any function of :class:`Value` arguments with the engine's gradients, and by
mini-batches on logistic regression with its hand-derived gradient."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from .._checks import check_number, check_positive, check_positive_int, check_tensor
from ..runtime import make_generator
from .engine import Value

__all__ = ["autodiff_gradient_descent", "logistic_loss", "logistic_grad", "GDRun", "minibatch_gd"]


def autodiff_gradient_descent(f: Callable[..., Value], x0: Sequence[float], *, lr: float, steps: int) -> np.ndarray:
    r"""Minimise any ``f`` (a function of scalar :class:`Value` arguments) by gradient descent, its
    gradient taken by this module's automatic differentiation.

    .. math:: \theta_{t+1} = \theta_t - \eta\, \nabla f(\theta_t)

    with the gradient from :meth:`Value.backward`. (:func:`dlcourse.normalization.gradient_descent`
    runs the same update on a quadratic, whose gradient it writes out instead.)

    Parameters
    ----------
    f : callable
        ``f(*params)``: a function of ``len(x0)`` :class:`Value` arguments that returns a :class:`Value`.
    x0 : sequence of float
        The starting point :math:`\theta_0`.
    lr : float
        Keyword-only: the learning rate :math:`\eta`; must be > 0.
    steps : int
        Keyword-only: the number of steps; must be >= 1.

    Returns
    -------
    numpy.ndarray
        The path, an array of shape ``(steps + 1, len(x0))`` whose first row is ``x0``.

    Examples
    --------
    >>> autodiff_gradient_descent(lambda x: (x - 3) ** 2, [0.0], lr=0.25, steps=2)[:, 0].tolist()
    [0.0, 1.5, 2.25]
    """
    lr = check_positive(lr, "lr")
    steps = check_positive_int(steps, "steps")
    theta = [check_number(v, f"x0[{i}]") for i, v in enumerate(x0)]
    path = [list(theta)]
    for _ in range(steps):
        params = [Value(v) for v in theta]
        out = f(*params)
        if not isinstance(out, Value):
            raise TypeError(f"f must return a Value, got {type(out).__name__}")
        out.backward()
        theta = [p.data - lr * p.grad for p in params]
        path.append(list(theta))
    return np.array(path)


def logistic_loss(w: torch.Tensor, b, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Mean binary cross-entropy of logistic regression :math:`p = \sigma(Xw + b)` for labels :math:`y \in \{0, 1\}`:

    .. math:: L = \frac1n \sum_i -y_i \log p_i - (1 - y_i)\log(1 - p_i)
              = \frac1n \sum_i \operatorname{softplus}(z_i) - y_i z_i, \quad z = Xw + b,

    computed in the second, stable form.

    Parameters
    ----------
    w : torch.Tensor
        Weights, shape ``(d,)``.
    b : float or torch.Tensor
        Bias: a number or a 0-d tensor.
    X : torch.Tensor
        Features, shape ``(n, d)``.
    y : torch.Tensor
        Labels 0 or 1, shape ``(n,)``.

    Returns
    -------
    torch.Tensor
        The mean loss :math:`L`, a 0-d tensor.
    """
    z = X @ w + b
    return (torch.nn.functional.softplus(z) - y.to(z.dtype) * z).mean()


def logistic_grad(w: torch.Tensor, b, X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The hand-derived gradient of :func:`logistic_loss`:

    .. math:: \frac{\partial L}{\partial w} = \frac1n X^\top(\sigma(Xw + b) - y), \qquad
              \frac{\partial L}{\partial b} = \frac1n \sum_i (\sigma(z_i) - y_i).

    For one positive example (:math:`y = 1`) this is :math:`-(1 - \sigma(w^\top x + b))\,x`:
    the chain rule :math:`\partial L/\partial p \cdot \partial p/\partial z \cdot \partial z/\partial w
    = -\frac1p \cdot p(1-p) \cdot x`.

    Parameters
    ----------
    w : torch.Tensor
        Weights, shape ``(d,)``.
    b : float or torch.Tensor
        Bias: a number or a 0-d tensor.
    X : torch.Tensor
        Features, floating point, shape ``(n, d)``.
    y : torch.Tensor
        Labels 0 or 1, shape ``(n,)``.

    Returns
    -------
    tuple of torch.Tensor
        :math:`(\partial L/\partial w, \partial L/\partial b)`, of shapes ``(d,)`` and ``()``.
    """
    X = check_tensor(X, "X", floating=True)
    residual = torch.sigmoid(X @ w + b) - y.to(X.dtype)
    return X.T @ residual / len(X), residual.mean()


@dataclass
class GDRun:
    """The record of one :func:`minibatch_gd` run: the full training loss after every step.

    Parameters
    ----------
    batch_size : int
        Examples per step, :math:`B` (at most ``n``).
    lr : float
        The learning rate.
    steps_per_epoch : int
        Steps per pass over the training set, ``ceil(n / batch_size)``.
    step : list of int, default []
        The steps after which the loss was recorded: 0 (the start), every ``record_every`` steps, and the last.
    seconds : list of float, default []
        At each recorded step, the seconds spent in the updates so far.
    loss : list of float, default []
        At each recorded step, the loss on the whole training set.
    w, b : torch.Tensor or None, default None
        The final weights (shape ``(d,)``) and bias (0-d), set at the end of the run.
    """

    batch_size: int
    lr: float
    steps_per_epoch: int
    step: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    w: torch.Tensor | None = None
    b: torch.Tensor | None = None

    @property
    def epoch(self) -> np.ndarray:
        """Steps converted to epochs (passes over the training set)."""
        return np.asarray(self.step, dtype=float) / self.steps_per_epoch

    def predict(self, X: torch.Tensor) -> torch.Tensor:
        """Predicted labels: 1 where :math:`Xw + b > 0`.

        Parameters
        ----------
        X : torch.Tensor
            Features, shape ``(m, d)``, of the dtype of ``w``.

        Returns
        -------
        torch.Tensor
            Labels 0 or 1 (int64), shape ``(m,)``.
        """
        return (X @ self.w + self.b > 0).long()

    def accuracy(self, X: torch.Tensor, y: torch.Tensor) -> float:
        """Fraction of the examples whose predicted label (:meth:`predict`) equals ``y``.

        Parameters
        ----------
        X : torch.Tensor
            Features, shape ``(m, d)``, of the dtype of ``w``.
        y : torch.Tensor
            Labels 0 or 1, shape ``(m,)``.

        Returns
        -------
        float
            The accuracy, in [0, 1].
        """
        return (self.predict(X) == y).float().mean().item()


def minibatch_gd(
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    batch_size: int,
    lr: float,
    epochs: int = 10,
    seed: int = 0,
    record_every: int = 1,
) -> GDRun:
    r"""Train logistic regression by mini-batch gradient descent from :math:`w = 0, b = 0`.

    Each epoch shuffles the examples (seeded) and takes :math:`\lceil n / B\rceil` steps
    :math:`w \leftarrow w - \eta\, \nabla_w L_{\text{batch}}` with the gradient of
    :func:`logistic_grad` on each batch of ``batch_size`` :math:`B` examples: :math:`B = n` is
    batch gradient descent, :math:`B = 1` stochastic gradient descent, anything between
    mini-batch gradient descent. Every ``record_every`` steps the loss on the *whole* training
    set is recorded, with the time spent in the updates so far (recording is not timed).

    Parameters
    ----------
    X : torch.Tensor
        Features, floating point, shape ``(n, d)``.
    y : torch.Tensor
        Labels 0 or 1, shape ``(n,)``.
    batch_size : int
        Keyword-only: :math:`B`, >= 1; values above ``n`` count as ``n``.
    lr : float
        Keyword-only: the learning rate :math:`\eta`; must be > 0.
    epochs : int, default 10
        Keyword-only: passes over the training set; must be >= 1.
    seed : int, default 0
        Keyword-only: seed of the shuffles; must be >= 0.
    record_every : int, default 1
        Keyword-only: record the loss every this many steps (and after the last step); must be >= 1.

    Returns
    -------
    GDRun
        The record of the run, with the final ``w`` and ``b``.
    """
    X = check_tensor(X, "X", floating=True)
    y = check_tensor(y, "y")
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"X must be (n, d) with len(y) == n, got X {tuple(X.shape)} and y {tuple(y.shape)}")
    batch_size = min(check_positive_int(batch_size, "batch_size"), len(X))
    lr = check_positive(lr, "lr")
    epochs = check_positive_int(epochs, "epochs")
    record_every = check_positive_int(record_every, "record_every")
    generator = make_generator(seed)
    n = len(X)
    w, b = torch.zeros(X.shape[1], dtype=X.dtype), torch.zeros((), dtype=X.dtype)
    run = GDRun(batch_size=batch_size, lr=lr, steps_per_epoch=math.ceil(n / batch_size))
    elapsed, step = 0.0, 0

    def record():
        run.step.append(step)
        run.seconds.append(elapsed)
        run.loss.append(logistic_loss(w, b, X, y).item())

    record()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        for i in range(0, n, batch_size):
            start = time.perf_counter()
            idx = order[i : i + batch_size]
            gw, gb = logistic_grad(w, b, X[idx], y[idx])
            w, b = w - lr * gw, b - lr * gb
            elapsed += time.perf_counter() - start
            step += 1
            if step % record_every == 0:
                record()
    if run.step[-1] != step:
        record()
    run.w, run.b = w, b
    return run
