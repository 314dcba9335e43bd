r"""Why input scaling matters for optimisation: the loss bowl of a linear model and gradient descent on it.

:func:`quadratic_form`, :func:`condition_number`, :func:`gradient_descent` and :func:`steps_to_converge`
measure how badly scaled features stretch the bowl and slow gradient descent down.

Examples
--------
>>> import torch
>>> round(condition_number(torch.tensor([[1.0, 0.0], [0.0, 10.0], [0.0, 0.0]]), intercept=False), 6)
100.0
"""

from __future__ import annotations

import math

import torch

from .._checks import (
    check_positive,
    check_positive_int,
    check_tensor,
)
from .preprocessing import _check_matrix

__all__ = ["quadratic_form", "condition_number", "gradient_descent", "steps_to_converge"]


# --------------------------------------------------------------------------- conditioning and GD
def quadratic_form(X: torch.Tensor, y: torch.Tensor, *, intercept: bool = True):
    r"""Hessian and optimum of the mean-squared-error loss of a linear model.

    For :math:`L(w) = \frac{1}{2n}\lVert Aw - y\rVert^2` with :math:`A = [X\;\mathbf 1]`
    (the column of ones only when ``intercept``), the Hessian is the constant matrix
    :math:`H = A^\top A / n` and the gradient is :math:`\nabla L(w) = Hw - A^\top y / n`.
    Returns ``(H, b, w_star, loss_star)`` with :math:`b = A^\top y / n` and the least-squares
    optimum :math:`w^\star` (in float64).

    Parameters
    ----------
    X : torch.Tensor
        Floating-point features of shape ``(n, d)``.
    y : torch.Tensor
        Floating-point targets, ``n`` values (shape ``(n,)`` or ``(n, 1)``).
    intercept : bool, default True
        Append a column of ones to ``X`` (the bias is then the last weight).

    Returns
    -------
    H : torch.Tensor
        The Hessian, of shape ``(p, p)`` with ``p = d + 1`` with an intercept, else ``d``; float64.
    b : torch.Tensor
        :math:`A^\top y / n`, of shape ``(p,)``; float64.
    w_star : torch.Tensor
        The least-squares optimum, of shape ``(p,)``; float64.
    loss_star : float
        The loss at the optimum, :math:`L(w^\star)`.
    """
    A = _check_matrix(X, "X").double()
    y = check_tensor(y, "y", floating=True).double().reshape(len(A), -1)
    if y.shape[1] != 1:
        raise ValueError(f"y must hold one target per row, got shape {tuple(y.shape)}")
    if intercept:
        A = torch.cat([A, torch.ones(len(A), 1, dtype=A.dtype)], dim=1)
    n = len(A)
    H = A.T @ A / n
    b = (A.T @ y / n).reshape(-1)
    w_star = torch.linalg.lstsq(A, y).solution.reshape(-1)
    loss_star = float(((A @ w_star - y.reshape(-1)) ** 2).mean() / 2)
    return H, b, w_star, loss_star


def condition_number(X: torch.Tensor, *, intercept: bool = True) -> float:
    r"""Condition number :math:`\kappa = \lambda_{\max} / \lambda_{\min}` of the Hessian
    :math:`H = A^\top A / n` of the squared loss of a linear model on ``X`` (see
    :func:`quadratic_form`). Gradient descent needs on the order of :math:`\kappa` steps:
    the step size is limited by :math:`\lambda_{\max}` (it diverges for
    :math:`\eta > 2/\lambda_{\max}`), while the error along the flattest direction shrinks by
    only :math:`1 - \eta\lambda_{\min}` per step.

    Parameters
    ----------
    X : torch.Tensor
        Floating-point features of shape ``(n, d)``.
    intercept : bool, default True
        Append a column of ones to ``X`` (a bias weight).

    Returns
    -------
    float
        :math:`\kappa`; ``inf`` if :math:`\lambda_{\min} \le 0` (a singular Hessian).

    Examples
    --------
    >>> X = torch.tensor([[1.0, 10.0], [-1.0, -10.0], [1.0, -10.0], [-1.0, 10.0]])
    >>> round(condition_number(X, intercept=False), 6)
    100.0
    """
    A = _check_matrix(X, "X").double()
    if intercept:
        A = torch.cat([A, torch.ones(len(A), 1, dtype=A.dtype)], dim=1)
    eig = torch.linalg.eigvalsh(A.T @ A / len(A))
    return float(eig[-1] / eig[0]) if eig[0] > 0 else math.inf


def gradient_descent(H: torch.Tensor, b: torch.Tensor, w0: torch.Tensor, *, lr: float, steps: int) -> torch.Tensor:
    r"""Full-batch gradient descent on the quadratic :math:`L(w) = \tfrac12 w^\top H w - b^\top w + c`:

    .. math:: w_{t+1} = w_t - \eta\,(H w_t - b).

    Returns the path, a tensor of shape ``(steps + 1, d)`` whose row ``t`` is :math:`w_t`.
    It converges for :math:`0 < \eta < 2/\lambda_{\max}(H)` and diverges beyond.

    Parameters
    ----------
    H : torch.Tensor
        Floating-point Hessian of shape ``(d, d)``.
    b : torch.Tensor
        Floating-point vector of ``d`` values (the linear term).
    w0 : torch.Tensor
        Floating-point start point, ``d`` values.
    lr : float
        Step size :math:`\eta`, > 0.
    steps : int
        Number of steps, >= 1.

    Returns
    -------
    torch.Tensor
        The path :math:`w_0, \dots, w_T`, of shape ``(steps + 1, d)``, in ``H``'s dtype.
    """
    H = check_tensor(H, "H", floating=True)
    b = check_tensor(b, "b", floating=True).reshape(-1)
    w = check_tensor(w0, "w0", floating=True).reshape(-1).to(H.dtype).clone()
    lr = check_positive(lr, "lr")
    steps = check_positive_int(steps, "steps")
    path = [w.clone()]
    for _ in range(steps):
        w = w - lr * (H @ w - b)
        path.append(w.clone())
    return torch.stack(path)


def steps_to_converge(
    H: torch.Tensor, b: torch.Tensor, w0: torch.Tensor, *, lr: float, tol: float = 1e-3, max_steps: int = 10**9
) -> int | None:
    r"""Number of gradient-descent steps until the excess loss falls to ``tol`` times its start.

    On a quadratic the iteration has a closed form. In the eigenbasis :math:`H = \sum_i
    \lambda_i u_i u_i^\top`, with :math:`c_i = u_i^\top(w_0 - w^\star)`,

    .. math:: L(w_t) - L^\star = \tfrac12 \sum_i \lambda_i c_i^2 (1 - \eta\lambda_i)^{2t},

    so the answer is the smallest :math:`t` with
    :math:`L(w_t) - L^\star \le \text{tol}\,(L(w_0) - L^\star)`, found by bisection without
    running the steps (:func:`gradient_descent` gives the same count, slowly). Returns
    ``None`` if that takes more than ``max_steps`` or if GD diverges (:math:`\eta \ge 2/\lambda_{\max}`).

    Parameters
    ----------
    H : torch.Tensor
        Floating-point symmetric positive semi-definite Hessian of shape ``(d, d)``.
    b : torch.Tensor
        Floating-point vector of ``d`` values (the linear term).
    w0 : torch.Tensor
        Floating-point start point, ``d`` values.
    lr : float
        Step size :math:`\eta`, > 0.
    tol : float, default 1e-3
        Fraction of the starting excess loss to reach, > 0.
    max_steps : int, default 10**9
        Largest count searched.

    Returns
    -------
    int or None
        The number of steps (0 if ``w0`` is already optimal or ``tol >= 1``), or ``None``.
    """
    H = check_tensor(H, "H", floating=True).double()
    b = check_tensor(b, "b", floating=True).double().reshape(-1)
    w0 = check_tensor(w0, "w0", floating=True).double().reshape(-1)
    lr = check_positive(lr, "lr")
    tol = check_positive(tol, "tol")
    eig, U = torch.linalg.eigh(H)
    w_star = torch.linalg.lstsq(H, b.unsqueeze(1)).solution.reshape(-1)
    c = U.T @ (w0 - w_star)
    weights = eig.clamp(min=0) * c**2
    factors = (1 - lr * eig).abs()
    keep = weights > weights.sum() * 1e-300
    weights, factors = weights[keep], factors[keep]
    if weights.numel() == 0:
        return 0
    if (factors >= 1).any():
        return None
    log_w, log_f, target = weights.log(), 2 * factors.log(), math.log(tol) + float(weights.sum().log())

    def excess_ok(t: int) -> bool:
        return float(torch.logsumexp(log_w + t * log_f, 0)) <= target

    if not excess_ok(max_steps):
        return None
    lo, hi = -1, max_steps  # excess_ok(hi) is True; excess_ok(lo) is taken as False
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if excess_ok(mid):
            hi = mid
        else:
            lo = mid
    return hi
