"""The multi-tensor twins of the update rules: the same arithmetic on lists of parameters (of one
device and dtype), gradients and states, one ``torch._foreach_*`` call per line."""

from __future__ import annotations

import math

import torch

from .base import _advance_steps, _gradients, _zeros
from .rules import _start_rmsprop_state

__all__ = [
    "sgd_update_foreach",
    "adagrad_update_foreach",
    "rmsprop_update_foreach",
    "adam_update_foreach",
    "nadam_update_foreach",
    "adamax_update_foreach",
]


def sgd_update_foreach(
    params: list[torch.Tensor],
    grads: list[torch.Tensor],
    states: list[dict],
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> None:
    """The same update as :func:`sgd_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line.

    Parameters
    ----------
    params : list of torch.Tensor
        The parameters (one device and dtype), updated in place.
    grads : list of torch.Tensor
        Their gradients, in the same order; not modified.
    states : list of dict
        Their states, as in :func:`~dlcourse.optim.sgd_update`, updated in place.
    lr : float
        Learning rate :math:`\\eta`.
    momentum : float, default 0.0
        Momentum :math:`\\mu` (0: plain SGD, no buffer).
    dampening : float, default 0.0
        Dampening :math:`\\tau`: the velocity adds :math:`(1 - \\tau) g`.
    weight_decay : float, default 0.0
        L2 penalty :math:`\\lambda`: :math:`\\lambda\\theta` is added to the gradient.
    nesterov : bool, default False
        Nesterov momentum (the step is :math:`g + \\mu v`).
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    d = _gradients(params, grads, weight_decay=weight_decay, maximize=maximize)
    if momentum != 0:
        bufs = [state.get("momentum_buffer") for state in states]
        old_bufs = [buf for buf in bufs if buf is not None]
        if old_bufs:
            torch._foreach_mul_(old_bufs, momentum)
            torch._foreach_add_(old_bufs, [di for di, buf in zip(d, bufs) if buf is not None], alpha=1 - dampening)
        for i, buf in enumerate(bufs):
            if buf is None:  # first step of this parameter: the velocity starts at the gradient
                bufs[i] = states[i]["momentum_buffer"] = d[i].detach().clone()
        d = torch._foreach_add(d, bufs, alpha=momentum) if nesterov else bufs
    torch._foreach_add_(params, d, alpha=-lr)


def adagrad_update_foreach(
    params: list[torch.Tensor],
    grads: list[torch.Tensor],
    states: list[dict],
    *,
    lr: float,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
    maximize: bool = False,
) -> None:
    """The same update as :func:`adagrad_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line.

    Parameters
    ----------
    params : list of torch.Tensor
        The parameters (one device and dtype), updated in place.
    grads : list of torch.Tensor
        Their gradients, in the same order; not modified.
    states : list of dict
        Their states, as in :func:`~dlcourse.optim.adagrad_update`, updated in place.
    lr : float
        Learning rate :math:`\\eta`.
    lr_decay : float, default 0.0
        The rate at step :math:`t` is :math:`\\eta / (1 + (t-1)\\,\\text{lr\\_decay})`.
    weight_decay : float, default 0.0
        L2 penalty :math:`\\lambda`: :math:`\\lambda\\theta` is added to the gradient.
    initial_accumulator_value : float, default 0.0
        Starting value of the sum :math:`s`.
    eps : float, default 1e-10
        The :math:`\\epsilon` added to the denominator.
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    for param, state in zip(params, states):
        if not state:
            state["step"] = 0
            state["sum"] = torch.full_like(param, initial_accumulator_value, memory_format=torch.preserve_format)
    steps = _advance_steps(states)
    g = _gradients(params, grads, weight_decay=weight_decay, maximize=maximize)
    sums = [state["sum"] for state in states]
    torch._foreach_addcmul_(sums, g, g, value=1)
    denom = torch._foreach_sqrt(sums)
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(params, g, denom, [-(lr / (1 + (t - 1) * lr_decay)) for t in steps])


def rmsprop_update_foreach(
    params: list[torch.Tensor],
    grads: list[torch.Tensor],
    states: list[dict],
    *,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    maximize: bool = False,
) -> None:
    """The same update as :func:`rmsprop_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line.

    Parameters
    ----------
    params : list of torch.Tensor
        The parameters (one device and dtype), updated in place.
    grads : list of torch.Tensor
        Their gradients, in the same order; not modified.
    states : list of dict
        Their states, as in :func:`~dlcourse.optim.rmsprop_update`, updated in place.
    lr : float
        Learning rate :math:`\\eta`.
    alpha : float, default 0.99
        Decay :math:`\\alpha` of the running mean square.
    eps : float, default 1e-8
        The :math:`\\epsilon` added to the denominator.
    weight_decay : float, default 0.0
        L2 penalty :math:`\\lambda`: :math:`\\lambda\\theta` is added to the gradient.
    momentum : float, default 0.0
        Momentum :math:`\\mu` of the buffer :math:`b` (0: no buffer).
    centered : bool, default False
        Divide by the centred second moment :math:`s - \\bar g^2`.
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    for param, state in zip(params, states):
        if not state:
            _start_rmsprop_state(param, state, momentum=momentum, centered=centered)
    _advance_steps(states)
    g = _gradients(params, grads, weight_decay=weight_decay, maximize=maximize)
    square_avgs = [state["square_avg"] for state in states]
    torch._foreach_mul_(square_avgs, alpha)
    torch._foreach_addcmul_(square_avgs, g, g, value=1 - alpha)
    if centered:
        grad_avgs = [state["grad_avg"] for state in states]
        torch._foreach_lerp_(grad_avgs, g, 1 - alpha)
        avg = torch._foreach_addcmul(square_avgs, grad_avgs, grad_avgs, value=-1)
        torch._foreach_sqrt_(avg)
    else:
        avg = torch._foreach_sqrt(square_avgs)
    torch._foreach_add_(avg, eps)
    if momentum > 0:
        bufs = [state["momentum_buffer"] for state in states]
        torch._foreach_mul_(bufs, momentum)
        torch._foreach_addcdiv_(bufs, g, avg)
        torch._foreach_add_(params, bufs, alpha=-lr)
    else:
        torch._foreach_addcdiv_(params, g, avg, value=-lr)


def adam_update_foreach(
    params: list[torch.Tensor],
    grads: list[torch.Tensor],
    states: list[dict],
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> None:
    """The same update as :func:`adam_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line.

    Parameters
    ----------
    params : list of torch.Tensor
        The parameters (one device and dtype), updated in place.
    grads : list of torch.Tensor
        Their gradients, in the same order; not modified.
    states : list of dict
        Their states, as in :func:`~dlcourse.optim.adam_update`, updated in place.
    lr : float
        Learning rate :math:`\\eta`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates :math:`(\\beta_1, \\beta_2)` of the two moments.
    eps : float, default 1e-8
        The :math:`\\epsilon` added to the denominator.
    weight_decay : float, default 0.0
        Weight decay :math:`\\lambda`: L2 (added to the gradient), or decoupled.
    amsgrad : bool, default False
        AMSGrad: divide by the running maximum of :math:`v`.
    decoupled_weight_decay : bool, default False
        Shrink :math:`\\theta` by :math:`(1 - \\eta\\lambda)` instead of adding :math:`\\lambda\\theta` to
        the gradient (AdamW).
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    beta1, beta2 = betas
    for param, state in zip(params, states):
        if not state:
            state["step"] = 0
            state["exp_avg"] = _zeros(param)
            state["exp_avg_sq"] = _zeros(param)
            if amsgrad:
                state["max_exp_avg_sq"] = _zeros(param)
    steps = _advance_steps(states)
    g = _gradients(params, grads, weight_decay=weight_decay, maximize=maximize, decoupled=decoupled_weight_decay, lr=lr)
    m = [state["exp_avg"] for state in states]
    v = [state["exp_avg_sq"] for state in states]
    torch._foreach_lerp_(m, g, 1 - beta1)
    torch._foreach_mul_(v, beta2)
    torch._foreach_addcmul_(v, g, g, value=1 - beta2)
    if amsgrad:
        v_max = [state["max_exp_avg_sq"] for state in states]
        torch._foreach_maximum_(v_max, v)
        v = v_max
    denom = torch._foreach_sqrt(v)
    torch._foreach_div_(denom, [math.sqrt(1 - beta2**t) for t in steps])
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(params, m, denom, [-lr / (1 - beta1**t) for t in steps])


def nadam_update_foreach(
    params: list[torch.Tensor],
    grads: list[torch.Tensor],
    states: list[dict],
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum_decay: float = 4e-3,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> None:
    """The same update as :func:`nadam_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line.

    Parameters
    ----------
    params : list of torch.Tensor
        The parameters (one device and dtype), updated in place.
    grads : list of torch.Tensor
        Their gradients, in the same order; not modified.
    states : list of dict
        Their states, as in :func:`~dlcourse.optim.nadam_update`, updated in place.
    lr : float
        Learning rate :math:`\\eta`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates :math:`(\\beta_1, \\beta_2)` of the two moments.
    eps : float, default 1e-8
        The :math:`\\epsilon` added to the denominator.
    weight_decay : float, default 0.0
        Weight decay :math:`\\lambda`: L2 (added to the gradient), or decoupled.
    momentum_decay : float, default 4e-3
        :math:`\\psi` of the momentum schedule :math:`\\mu_t` (see :class:`NAdam`).
    decoupled_weight_decay : bool, default False
        Shrink :math:`\\theta` by :math:`(1 - \\eta\\lambda)` instead of adding :math:`\\lambda\\theta` to
        the gradient (AdamW).
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    beta1, beta2 = betas
    for param, state in zip(params, states):
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = _zeros(param)
            state["exp_avg_sq"] = _zeros(param)
    steps = _advance_steps(states)
    g = _gradients(params, grads, weight_decay=weight_decay, maximize=maximize, decoupled=decoupled_weight_decay, lr=lr)
    grad_scales, exp_avg_scales = [], []
    for state, t in zip(states, steps):
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        state["mu_product"] *= mu
        grad_scales.append(-lr * (1 - mu) / (1 - state["mu_product"]))
        exp_avg_scales.append(-lr * mu_next / (1 - state["mu_product"] * mu_next))
    m = [state["exp_avg"] for state in states]
    v = [state["exp_avg_sq"] for state in states]
    torch._foreach_lerp_(m, g, 1 - beta1)
    torch._foreach_mul_(v, beta2)
    torch._foreach_addcmul_(v, g, g, value=1 - beta2)
    denom = torch._foreach_div(v, [1 - beta2**t for t in steps])
    torch._foreach_sqrt_(denom)
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(params, g, denom, grad_scales)
    torch._foreach_addcdiv_(params, m, denom, exp_avg_scales)


def adamax_update_foreach(
    params: list[torch.Tensor],
    grads: list[torch.Tensor],
    states: list[dict],
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> None:
    """The same update as :func:`adamax_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line.

    Parameters
    ----------
    params : list of torch.Tensor
        The parameters (one device and dtype), updated in place.
    grads : list of torch.Tensor
        Their gradients, in the same order; not modified.
    states : list of dict
        Their states, as in :func:`~dlcourse.optim.adamax_update`, updated in place.
    lr : float
        Learning rate :math:`\\eta`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates :math:`(\\beta_1, \\beta_2)` of the first moment and of the maximum :math:`u`.
    eps : float, default 1e-8
        The :math:`\\epsilon` added to :math:`|g|` in the maximum.
    weight_decay : float, default 0.0
        L2 penalty :math:`\\lambda`: :math:`\\lambda\\theta` is added to the gradient.
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    beta1, beta2 = betas
    for param, state in zip(params, states):
        if not state:
            state["step"] = 0
            state["exp_avg"] = _zeros(param)
            state["exp_inf"] = _zeros(param)
    steps = _advance_steps(states)
    g = _gradients(params, grads, weight_decay=weight_decay, maximize=maximize)
    exp_avgs = [state["exp_avg"] for state in states]
    exp_infs = [state["exp_inf"] for state in states]
    torch._foreach_lerp_(exp_avgs, g, 1 - beta1)
    torch._foreach_mul_(exp_infs, beta2)
    bound = torch._foreach_abs(g)
    torch._foreach_add_(bound, eps)
    torch._foreach_maximum_(exp_infs, bound)
    torch._foreach_addcdiv_(params, exp_avgs, exp_infs, [-lr / (1 - beta1**t) for t in steps])
