"""The two ways of writing momentum (the textbook one and PyTorch's), and a check that they agree."""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_nonnegative, check_positive_int, check_probability

__all__ = [
    "momentum_step_seed",
    "momentum_step_torch",
    "momentum_formulations",
]


def momentum_step_seed(
    theta: torch.Tensor, grad: torch.Tensor, m: torch.Tensor, *, lr: float, beta: float
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The textbook momentum step: :math:`m \leftarrow \beta m - \eta g`, :math:`\theta \leftarrow \theta + m`.

    Returns the new ``(theta, m)``; nothing is changed in place.

    Parameters
    ----------
    theta : torch.Tensor
        The parameters :math:`\theta`, any shape.
    grad : torch.Tensor
        The gradient :math:`g` at ``theta``, same shape.
    m : torch.Tensor
        The momentum :math:`m` (the previous step), same shape; zeros at the start.
    lr : float
        Learning rate :math:`\eta` (keyword-only).
    beta : float
        Momentum coefficient :math:`\beta` (keyword-only).

    Returns
    -------
    theta : torch.Tensor
        The new parameters :math:`\theta + m`.
    m : torch.Tensor
        The new momentum.
    """
    m = beta * m - lr * grad
    return theta + m, m


def momentum_step_torch(
    theta: torch.Tensor, grad: torch.Tensor, v: torch.Tensor, *, lr: float, beta: float
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""PyTorch's momentum step: :math:`v \leftarrow \beta v + g`, :math:`\theta \leftarrow \theta - \eta v`.

    Returns the new ``(theta, v)``. With :math:`v_0 = m_0 = 0` and a constant :math:`\eta`,
    :math:`m_t = -\eta v_t` at every step, so both forms visit the same points. (PyTorch sets
    :math:`v_1 = g_1`, which is also what :math:`v_1 = \beta\cdot 0 + g_1` gives.)

    Parameters
    ----------
    theta : torch.Tensor
        The parameters :math:`\theta`, any shape.
    grad : torch.Tensor
        The gradient :math:`g` at ``theta``, same shape.
    v : torch.Tensor
        The velocity :math:`v` (a running sum of gradients), same shape; zeros at the start.
    lr : float
        Learning rate :math:`\eta` (keyword-only).
    beta : float
        Momentum coefficient :math:`\beta` (keyword-only).

    Returns
    -------
    theta : torch.Tensor
        The new parameters :math:`\theta - \eta v`.
    v : torch.Tensor
        The new velocity.
    """
    v = beta * v + grad
    return theta - lr * v, v


def momentum_formulations(
    grad_fn: Callable[[torch.Tensor], torch.Tensor], theta0: torch.Tensor, *, lr: float, beta: float, steps: int = 50
) -> dict[str, torch.Tensor]:
    r"""Run both momentum formulations from ``theta0`` on the gradient field ``grad_fn``.

    Returns ``{"seed": trajectory, "torch": trajectory, "max_abs_difference": float tensor}``,
    each trajectory of shape ``(steps + 1, *theta0.shape)``. The difference is rounding only.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(theta)`` returns the gradient at ``theta``, a tensor of ``theta``'s shape.
    theta0 : torch.Tensor
        The starting point, any shape (detached and copied).
    lr : float
        Learning rate, >= 0 (keyword-only).
    beta : float
        Momentum coefficient, in [0, 1) (keyword-only).
    steps : int, default 50
        Number of steps, >= 1 (keyword-only).

    Returns
    -------
    dict
        ``"seed"`` and ``"torch"``: the trajectories, each of shape ``(steps + 1, *theta0.shape)``
        (the start first); ``"max_abs_difference"``: a 0-d tensor, the largest
        :math:`|\theta^{seed}_t - \theta^{torch}_t|`.

    Examples
    --------
    >>> out = momentum_formulations(lambda w: 2 * w, torch.tensor([1.0, -1.0], dtype=torch.float64),
    ...                             lr=0.1, beta=0.9, steps=30)
    >>> float(out["max_abs_difference"]) < 1e-12
    True
    """
    lr = check_nonnegative(lr, "lr")
    beta = check_probability(beta, "beta", allow_one=False)
    steps = check_positive_int(steps, "steps")
    a = b = theta0.detach().clone()
    m, v = torch.zeros_like(a), torch.zeros_like(b)
    seed, ours = [a], [b]
    for _ in range(steps):
        a, m = momentum_step_seed(a, grad_fn(a), m, lr=lr, beta=beta)
        b, v = momentum_step_torch(b, grad_fn(b), v, lr=lr, beta=beta)
        seed.append(a)
        ours.append(b)
    seed, ours = torch.stack(seed), torch.stack(ours)
    return {"seed": seed, "torch": ours, "max_abs_difference": (seed - ours).abs().max()}
