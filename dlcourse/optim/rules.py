"""The update rules, one parameter at a time: each changes one parameter and its state in place
(the functional updates of ``torch/optim/adam.py``'s pattern)."""

from __future__ import annotations

import math

import torch

from .base import _gradient, _zeros

__all__ = [
    "sgd_update",
    "adagrad_update",
    "rmsprop_update",
    "adam_update",
    "nadam_update",
    "adamax_update",
]


def sgd_update(
    param: torch.Tensor,
    grad: torch.Tensor,
    state: dict,
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> None:
    r"""One SGD step on ``param`` in place (PyTorch's formulation of momentum).

    .. math::
        g &\leftarrow \pm g + \lambda\theta \\
        v &\leftarrow \begin{cases} g & \text{first step} \\ \mu v + (1 - \tau) g & \text{after} \end{cases} \\
        d &= g + \mu v \text{ (Nesterov) or } v \text{ (classical)}; \quad d = g \text{ if } \mu = 0 \\
        \theta &\leftarrow \theta - \eta\, d

    with momentum :math:`\mu` and dampening :math:`\tau`; ``state["momentum_buffer"]`` holds :math:`v`.

    Parameters
    ----------
    param : torch.Tensor
        The parameter, updated in place.
    grad : torch.Tensor
        Its gradient, same shape; not modified.
    state : dict
        The parameter's state, filled on the first call and updated in place: ``"momentum_buffer"``
        (:math:`v`), created at the first step when ``momentum != 0``.
    lr : float
        Learning rate :math:`\eta`.
    momentum : float, default 0.0
        Momentum :math:`\mu` (0: plain SGD, no buffer).
    dampening : float, default 0.0
        Dampening :math:`\tau`: the velocity adds :math:`(1 - \tau) g`.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda`: :math:`\lambda\theta` is added to the gradient.
    nesterov : bool, default False
        Nesterov momentum (the step is :math:`g + \mu v`).
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    d = _gradient(param, grad, weight_decay=weight_decay, maximize=maximize)
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = d.detach().clone()
        else:
            buf.mul_(momentum).add_(d, alpha=1 - dampening)
        d = d.add(buf, alpha=momentum) if nesterov else buf
    param.add_(d, alpha=-lr)


def adagrad_update(
    param: torch.Tensor,
    grad: torch.Tensor,
    state: dict,
    *,
    lr: float,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
    maximize: bool = False,
) -> None:
    r"""One AdaGrad step in place: :math:`s \leftarrow s + g^2`, :math:`\theta \leftarrow \theta -
    \frac{\eta_t}{\sqrt{s} + \epsilon} g` with :math:`\eta_t = \eta / (1 + (t-1)\,\text{lr\_decay})`.

    ``state``: ``step`` (int) and ``sum`` (:math:`s`, starts at ``initial_accumulator_value``).

    Parameters
    ----------
    param : torch.Tensor
        The parameter, updated in place.
    grad : torch.Tensor
        Its gradient, same shape; not modified.
    state : dict
        The parameter's state, filled on the first call and updated in place: ``"step"`` (int) and
        ``"sum"`` (:math:`s`).
    lr : float
        Learning rate :math:`\eta`.
    lr_decay : float, default 0.0
        The rate at step :math:`t` is :math:`\eta / (1 + (t-1)\,\text{lr\_decay})`.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda`: :math:`\lambda\theta` is added to the gradient.
    initial_accumulator_value : float, default 0.0
        Starting value of the sum :math:`s`.
    eps : float, default 1e-10
        The :math:`\epsilon` added to the denominator.
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    if not state:
        state["step"] = 0
        state["sum"] = torch.full_like(param, initial_accumulator_value, memory_format=torch.preserve_format)
    state["step"] += 1
    g = _gradient(param, grad, weight_decay=weight_decay, maximize=maximize)
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"].addcmul_(g, g, value=1)
    param.addcdiv_(g, state["sum"].sqrt().add_(eps), value=-clr)


def _start_rmsprop_state(param: torch.Tensor, state: dict, *, momentum: float, centered: bool) -> None:
    """RMSProp's lazy state: the step count, the running mean square, and the buffers its options need."""
    state["step"] = 0
    state["square_avg"] = _zeros(param)
    if momentum > 0:
        state["momentum_buffer"] = _zeros(param)
    if centered:
        state["grad_avg"] = _zeros(param)


def rmsprop_update(
    param: torch.Tensor,
    grad: torch.Tensor,
    state: dict,
    *,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    maximize: bool = False,
) -> None:
    r"""One RMSProp step in place.

    :math:`s \leftarrow \alpha s + (1-\alpha) g^2`; centred: :math:`\bar g \leftarrow \alpha\bar g + (1-\alpha) g`
    and :math:`s - \bar g^2` replaces :math:`s`; :math:`d = g / (\sqrt{s} + \epsilon)`; with momentum
    :math:`b \leftarrow \mu b + d` and :math:`\theta \leftarrow \theta - \eta b`, else
    :math:`\theta \leftarrow \theta - \eta d`.

    Parameters
    ----------
    param : torch.Tensor
        The parameter, updated in place.
    grad : torch.Tensor
        Its gradient, same shape; not modified.
    state : dict
        The parameter's state, filled on the first call and updated in place: ``"step"``,
        ``"square_avg"`` (:math:`s`), and ``"momentum_buffer"`` (with momentum) and ``"grad_avg"``
        (centred).
    lr : float
        Learning rate :math:`\eta`.
    alpha : float, default 0.99
        Decay :math:`\alpha` of the running mean square.
    eps : float, default 1e-8
        The :math:`\epsilon` added to the denominator.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda`: :math:`\lambda\theta` is added to the gradient.
    momentum : float, default 0.0
        Momentum :math:`\mu` of the buffer :math:`b` (0: no buffer).
    centered : bool, default False
        Divide by the centred second moment :math:`s - \bar g^2`.
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    if not state:
        _start_rmsprop_state(param, state, momentum=momentum, centered=centered)
    state["step"] += 1
    g = _gradient(param, grad, weight_decay=weight_decay, maximize=maximize)
    square_avg = state["square_avg"]
    square_avg.mul_(alpha).addcmul_(g, g, value=1 - alpha)
    if centered:
        grad_avg = state["grad_avg"]
        grad_avg.lerp_(g, 1 - alpha)
        avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
    else:
        avg = square_avg.sqrt()
    avg.add_(eps)
    if momentum > 0:
        buf = state["momentum_buffer"]
        buf.mul_(momentum).addcdiv_(g, avg)
        param.add_(buf, alpha=-lr)
    else:
        param.addcdiv_(g, avg, value=-lr)


def adam_update(
    param: torch.Tensor,
    grad: torch.Tensor,
    state: dict,
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> None:
    r"""One Adam step in place (AdamW with ``decoupled_weight_decay=True``).

    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
    :math:`\hat m = m/(1-\beta_1^t)`, :math:`\hat v = v/(1-\beta_2^t)` (AMSGrad: the running maximum
    of :math:`v` instead), :math:`\theta \leftarrow \theta - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)`.

    Parameters
    ----------
    param : torch.Tensor
        The parameter, updated in place.
    grad : torch.Tensor
        Its gradient, same shape; not modified.
    state : dict
        The parameter's state, filled on the first call and updated in place: ``"step"``, ``"exp_avg"``
        (:math:`m`), ``"exp_avg_sq"`` (:math:`v`), and ``"max_exp_avg_sq"`` (AMSGrad).
    lr : float
        Learning rate :math:`\eta`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates :math:`(\beta_1, \beta_2)` of the two moments.
    eps : float, default 1e-8
        The :math:`\epsilon` added to the denominator.
    weight_decay : float, default 0.0
        Weight decay :math:`\lambda`: L2 (added to the gradient), or decoupled.
    amsgrad : bool, default False
        AMSGrad: divide by the running maximum of :math:`v`.
    decoupled_weight_decay : bool, default False
        Shrink :math:`\theta` by :math:`(1 - \eta\lambda)` instead of adding :math:`\lambda\theta` to
        the gradient (AdamW).
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["exp_avg"] = _zeros(param)
        state["exp_avg_sq"] = _zeros(param)
        if amsgrad:
            state["max_exp_avg_sq"] = _zeros(param)
    state["step"] += 1
    t = state["step"]
    g = _gradient(param, grad, weight_decay=weight_decay, maximize=maximize, decoupled=decoupled_weight_decay, lr=lr)
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m.lerp_(g, 1 - beta1)
    v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    bias_correction1 = 1 - beta1**t
    bias_correction2_sqrt = math.sqrt(1 - beta2**t)
    if amsgrad:
        torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        v = state["max_exp_avg_sq"]
    denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    param.addcdiv_(m, denom, value=-lr / bias_correction1)


def nadam_update(
    param: torch.Tensor,
    grad: torch.Tensor,
    state: dict,
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum_decay: float = 4e-3,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> None:
    r"""One Nadam step in place; ``state["mu_product"]`` is :math:`\prod_{s \le t} \mu_s` (see :class:`NAdam`).

    Parameters
    ----------
    param : torch.Tensor
        The parameter, updated in place.
    grad : torch.Tensor
        Its gradient, same shape; not modified.
    state : dict
        The parameter's state, filled on the first call and updated in place: ``"step"``,
        ``"mu_product"`` (float), ``"exp_avg"`` (:math:`m`) and ``"exp_avg_sq"`` (:math:`v`).
    lr : float
        Learning rate :math:`\eta`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates :math:`(\beta_1, \beta_2)` of the two moments.
    eps : float, default 1e-8
        The :math:`\epsilon` added to the denominator.
    weight_decay : float, default 0.0
        Weight decay :math:`\lambda`: L2 (added to the gradient), or decoupled.
    momentum_decay : float, default 4e-3
        :math:`\psi` of the momentum schedule :math:`\mu_t` (see :class:`NAdam`).
    decoupled_weight_decay : bool, default False
        Shrink :math:`\theta` by :math:`(1 - \eta\lambda)` instead of adding :math:`\lambda\theta` to
        the gradient (AdamW).
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["mu_product"] = 1.0
        state["exp_avg"] = _zeros(param)
        state["exp_avg_sq"] = _zeros(param)
    state["step"] += 1
    t = state["step"]
    g = _gradient(param, grad, weight_decay=weight_decay, maximize=maximize, decoupled=decoupled_weight_decay, lr=lr)
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    state["mu_product"] *= mu
    mu_product = state["mu_product"]
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m.lerp_(g, 1 - beta1)
    v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    denom = v.div(1 - beta2**t).sqrt().add_(eps)
    param.addcdiv_(g, denom, value=-lr * (1 - mu) / (1 - mu_product))
    param.addcdiv_(m, denom, value=-lr * mu_next / (1 - mu_product * mu_next))


def adamax_update(
    param: torch.Tensor,
    grad: torch.Tensor,
    state: dict,
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> None:
    r"""One Adamax step in place: :math:`u \leftarrow \max(\beta_2 u, |g| + \epsilon)`,
    :math:`\theta \leftarrow \theta - \frac{\eta}{1-\beta_1^t}\,\frac{m}{u}`.

    Parameters
    ----------
    param : torch.Tensor
        The parameter, updated in place.
    grad : torch.Tensor
        Its gradient, same shape; not modified.
    state : dict
        The parameter's state, filled on the first call and updated in place: ``"step"``, ``"exp_avg"``
        (:math:`m`) and ``"exp_inf"`` (:math:`u`).
    lr : float
        Learning rate :math:`\eta`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates :math:`(\beta_1, \beta_2)` of the first moment and of the maximum :math:`u`.
    eps : float, default 1e-8
        The :math:`\epsilon` added to :math:`|g|` in the maximum.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda`: :math:`\lambda\theta` is added to the gradient.
    maximize : bool, default False
        Maximise the objective (use :math:`-g`).
    """
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["exp_avg"] = _zeros(param)
        state["exp_inf"] = _zeros(param)
    state["step"] += 1
    g = _gradient(param, grad, weight_decay=weight_decay, maximize=maximize)
    state["exp_avg"].lerp_(g, 1 - beta1)
    torch.maximum(state["exp_inf"].mul_(beta2), g.abs().add_(eps), out=state["exp_inf"])
    param.addcdiv_(state["exp_avg"], state["exp_inf"], value=-lr / (1 - beta1 ** state["step"]))
