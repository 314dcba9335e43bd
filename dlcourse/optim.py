r"""Optimizers written for reading: SGD (momentum, Nesterov), AdaGrad, RMSProp, Adam, AdamW, Nadam, Adamax.

Every class is a :class:`torch.optim.Optimizer`, so it plugs into :func:`dlcourse.training.fit`,
into ``torch.optim.lr_scheduler`` and into :mod:`dlcourse.schedules`. Each follows the pattern of
``torch/optim/adam.py``:

* the algorithm is written out in the class docstring;
* the hyperparameters are validated in ``__init__`` (a negative learning rate, a β outside
  :math:`[0, 1)` or a negative ε raise a ``ValueError`` that names the argument);
* the per-parameter state (moment estimates, step count) is created lazily, on the first step
  that sees a gradient for that parameter;
* the arithmetic lives in a small *functional update* (:func:`sgd_update`, :func:`adam_update`,
  ...) that changes one parameter and its state in place. The class only loops over parameter
  groups and parameters, skipping those whose ``grad`` is ``None``;
* each functional update has a multi-tensor twin (:func:`sgd_update_foreach`,
  :func:`adam_update_foreach`, ...): the same update applied to lists of tensors, one
  ``torch._foreach_*`` call per line instead of one small call per parameter. As in torch.optim,
  ``foreach=True`` selects it, ``foreach=False`` the loop, and ``foreach=None`` (the default)
  whatever torch.optim would pick for the same parameters: the loop on the CPU, the lists on a GPU.

The tests run each optimizer for 100 steps on a real batch and compare every parameter with
its ``torch.optim`` counterpart (to 1e-6, in float64), for every option combination.

**Where it differs from torch.optim** (on purpose; each raises a clear error rather than
computing something else): complex parameters (``NotImplementedError``; torch views them as
pairs of reals); the implementation switches ``fused=True``, ``capturable=True``,
``differentiable=True`` (``NotImplementedError``: a readable loop and its foreach twin only;
the defaults are accepted, so signatures equal torch's); a tensor learning rate (``TypeError``:
a Python number only); sparse gradients (``RuntimeError``). Saving and resuming, ``deepcopy`` and
loading state dicts across the two libraries work (see :class:`LoopOptimizer`).

Notation: :math:`\theta` parameters, :math:`g_t` gradient at step :math:`t` (1-based), :math:`\eta`
learning rate, :math:`\lambda` weight decay, :math:`\epsilon` the small constant in denominators.

Examples
--------
>>> import torch
>>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
>>> opt = Adam([w], lr=0.1)
>>> w.grad = torch.tensor([0.5, 0.5])
>>> opt.step()
>>> w.detach()
tensor([ 0.9000, -2.1000])
"""

from __future__ import annotations

import functools
import inspect
import math
from typing import Callable

import torch
from torch.optim import optimizer as _torch_optimizer

from ._checks import check_bool, check_choice, check_nonnegative, check_positive_int, check_probability

__all__ = [
    "LoopOptimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam", "Adamax", "OPTIMIZERS",
    "sgd_update", "adagrad_update", "rmsprop_update", "adam_update", "nadam_update", "adamax_update",
    "sgd_update_foreach", "adagrad_update_foreach", "rmsprop_update_foreach", "adam_update_foreach",
    "nadam_update_foreach", "adamax_update_foreach",
    "momentum_step_seed", "momentum_step_torch", "momentum_formulations", "make_optimizer",
]


# --------------------------------------------------------------------------- validation
def _check_betas(betas) -> tuple[float, float]:
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return (check_probability(betas[0], "betas[0]", allow_one=False),
            check_probability(betas[1], "betas[1]", allow_one=False))


def _zeros(param: torch.Tensor) -> torch.Tensor:
    return torch.zeros_like(param, memory_format=torch.preserve_format)


def _gradient(param: torch.Tensor, grad: torch.Tensor, *, weight_decay: float, maximize: bool,
              decoupled: bool = False, lr: float = 0.0) -> torch.Tensor:
    r"""The gradient an update uses: :math:`-g` when maximising, plus :math:`\lambda\theta` (L2 decay);
    with ``decoupled=True`` the parameter is shrunk in place by :math:`(1 - \eta\lambda)` instead (AdamW)."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled:
            param.mul_(1 - lr * weight_decay)  # shrink the weights directly, outside the adaptive scaling
        else:
            g = g.add(param, alpha=weight_decay)  # L2: the decay goes through the moments
    return g


def _gradients(params: list[torch.Tensor], grads: list[torch.Tensor], *, weight_decay: float, maximize: bool,
               decoupled: bool = False, lr: float = 0.0) -> list[torch.Tensor]:
    """``_gradient`` on lists; like it, never writes into the ``grads`` themselves."""
    gs = torch._foreach_neg(grads) if maximize else grads
    if weight_decay != 0:
        if decoupled:
            torch._foreach_mul_(params, 1 - lr * weight_decay)
        else:
            gs = torch._foreach_add(gs, params, alpha=weight_decay)
    return gs


def _advance_steps(states: list[dict]) -> list[int]:
    """Add one to every ``state["step"]``; return the new step counts (they differ between
    parameters that did not all have a gradient at every step)."""
    for state in states:
        state["step"] += 1
    return [state["step"] for state in states]


#: torch.optim's implementation switches that the course does not provide (they do not change the
#: algorithm): accepted at their defaults (so signatures match torch's), refused loudly otherwise.
#: ``foreach`` is provided: see :class:`LoopOptimizer`.
_TORCH_SWITCHES = {"fused": (None, False), "capturable": (False,), "differentiable": (False,)}

#: State entries that torch keeps as tensors and the course keeps as Python numbers.
_SCALAR_STATE = {"step": int, "mu_product": float}


def _check_switches(owner: str, **switches) -> None:
    for name, value in switches.items():
        if value not in _TORCH_SWITCHES[name]:
            raise NotImplementedError(
                f"{name}={value!r}: {owner} has a readable loop over parameters and its foreach twin "
                f"only; torch.optim's {name} path is not provided. Use torch.optim.{owner} for it.")


def _check_foreach(foreach) -> bool | None:
    if foreach is not None and not isinstance(foreach, bool):
        raise TypeError(f"foreach must be None or a bool, got {type(foreach).__name__}")
    return foreach


@functools.cache
def _hyperparameter_names(update: Callable) -> tuple[str, ...]:
    """The keyword-only arguments of a functional update: the group entries it reads."""
    return tuple(n for n, p in inspect.signature(update).parameters.items() if p.kind is p.KEYWORD_ONLY)


class LoopOptimizer(torch.optim.Optimizer):
    """Base class of the module's optimizers: for every group and every parameter with a gradient,
    call the subclass's functional update ``_update`` (the per-tensor loop), or call its
    multi-tensor twin ``_update_foreach`` once on the lists of those parameters (the foreach path).

    A subclass defines ``_update(param, grad, state, **group_hyperparameters)``; ``state`` is the
    parameter's (initially empty) state dict, which the functional update fills lazily. Its
    ``_update_foreach(params, grads, states, **group_hyperparameters)`` does the same to parallel
    lists whose parameters share one device and dtype.

    The group's ``foreach`` entry chooses, as in ``torch.optim``: ``True`` the foreach path,
    ``False`` the loop, ``None`` the path torch.optim would take for the group's parameters with a
    gradient (its ``_default_to_fused_or_foreach``): foreach when every one is on a device with
    foreach kernels (CUDA), the loop otherwise (on the CPU a foreach op is itself a loop over the
    tensors). The foreach path splits the parameters by device and dtype, as torch.optim does; on
    the CPU it computes the same numbers as the loop, bit for bit.

    Saving and resuming work as in ``torch.optim``: ``state_dict()`` writes the step count as a
    float32 tensor (torch's format; NAdam's ``mu_product`` as a float64 tensor, so nothing is
    lost), ``load_state_dict`` accepts that format and torch's own, and ``copy.deepcopy`` works.
    A group's entries that the update does not read (torch's ``differentiable``, a scheduler's
    ``initial_lr``) are ignored. Both paths keep the same state, so a run may switch between them.
    Complex parameters are refused (``NotImplementedError``): torch treats them as pairs of reals,
    the course's updates do not.
    """

    _update: Callable
    _update_foreach: Callable

    def __init__(self, params, defaults: dict):
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict) -> None:  # noqa: D102 - torch's, plus a check
        super().add_param_group(param_group)
        _refuse_complex(type(self).__name__, self.param_groups[-1]["params"])

    def _hyperparameters(self, group: dict) -> dict:
        # only what the update reads: schedulers add "initial_lr", torch's state dicts "foreach", ...
        return {k: group[k] if k in group else self.defaults[k] for k in _hyperparameter_names(type(self)._update)}

    def state_dict(self) -> dict:  # noqa: D102 - documented on the class
        packed = super().state_dict()
        packed["state"] = {key: {name: _to_torch_scalar(name, value) for name, value in state.items()}
                           for key, state in packed["state"].items()}
        return packed

    def load_state_dict(self, state_dict: dict) -> None:  # noqa: D102 - documented on the class
        state_dict = dict(state_dict)
        # Python numbers pass torch's loader untouched (a tensor would be cast to the parameter's dtype)
        state_dict["state"] = {key: {name: _from_torch_scalar(name, value) for name, value in state.items()}
                               for key, state in state_dict["state"].items()}
        super().load_state_dict(state_dict)

    @torch.no_grad()
    def step(self, closure: Callable | None = None):
        """Perform one update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            grads = [p.grad for p in params]
            if any(grad.is_sparse for grad in grads):
                raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
            hyper = self._hyperparameters(group)
            if params and _uses_foreach(group, params):
                for same_kind in _by_device_and_dtype(params, grads, [self.state[p] for p in params]):
                    type(self)._update_foreach(*same_kind, **hyper)
            else:
                for param, grad in zip(params, grads):
                    type(self)._update(param, grad, self.state[param], **hyper)
        return loss


def _uses_foreach(group: dict, params: list[torch.Tensor]) -> bool:
    foreach = group.get("foreach")
    if foreach is None:  # torch.optim's own default, decided at each step like torch does
        _, foreach = _torch_optimizer._default_to_fused_or_foreach(params, differentiable=False, use_fused=False)
    return foreach


def _by_device_and_dtype(params: list[torch.Tensor], grads: list[torch.Tensor],
                         states: list[dict]) -> list[tuple[list, list, list]]:
    """Split the parallel lists by the parameter's device and dtype (a foreach call takes tensors of
    one kind), keeping their order, as torch.optim does."""
    kinds: dict[tuple, tuple[list, list, list]] = {}
    for param, grad, state in zip(params, grads, states):
        same_kind = kinds.setdefault((param.device, param.dtype), ([], [], []))
        same_kind[0].append(param)
        same_kind[1].append(grad)
        same_kind[2].append(state)
    return list(kinds.values())


def _refuse_complex(owner: str, params) -> None:
    if any(torch.is_complex(p) for p in params):
        raise NotImplementedError(f"params: {owner} does not support complex parameters "
                                  "(torch.optim views them as pairs of reals; use torch.view_as_real yourself)")


def _to_torch_scalar(name: str, value):
    if name == "step" and isinstance(value, int):
        return torch.tensor(float(value), dtype=torch.float32)
    if name == "mu_product" and isinstance(value, float):
        return torch.tensor(value, dtype=torch.float64)
    return value


def _from_torch_scalar(name: str, value):
    if name in _SCALAR_STATE and isinstance(value, torch.Tensor) and value.numel() == 1:
        return _SCALAR_STATE[name](value.item())
    return value


# --------------------------------------------------------------------------- SGD
def sgd_update(param: torch.Tensor, grad: torch.Tensor, state: dict, *, lr: float, momentum: float = 0.0,
               dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
               maximize: bool = False) -> None:
    r"""One SGD step on ``param`` in place (PyTorch's formulation of momentum).

    .. math::
        g &\leftarrow \pm g + \lambda\theta \\
        v &\leftarrow \begin{cases} g & \text{first step} \\ \mu v + (1 - \tau) g & \text{after} \end{cases} \\
        d &= g + \mu v \text{ (Nesterov) or } v \text{ (classical)}; \quad d = g \text{ if } \mu = 0 \\
        \theta &\leftarrow \theta - \eta\, d

    with momentum :math:`\mu` and dampening :math:`\tau`; ``state["momentum_buffer"]`` holds :math:`v`.
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


def sgd_update_foreach(params: list[torch.Tensor], grads: list[torch.Tensor], states: list[dict], *, lr: float,
                       momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0,
                       nesterov: bool = False, maximize: bool = False) -> None:
    """The same update as :func:`sgd_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line."""
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


class SGD(LoopOptimizer):
    r"""Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    For :math:`t = 1, 2, \dots`:

    .. math::
        g_t &\leftarrow \nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1}
              \quad(\text{negated first if } \texttt{maximize}) \\
        v_t &\leftarrow \mu v_{t-1} + (1-\tau) g_t \quad (v_1 = g_1) \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\,(g_t + \mu v_t) \quad \text{(Nesterov)} \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\, v_t \quad \text{(classical momentum)}

    With :math:`\mu = 0` this is plain SGD, :math:`\theta \leftarrow \theta - \eta g`.
    The velocity :math:`v` is a running sum of gradients; the textbook form
    :math:`m \leftarrow \beta m - \eta g,\ \theta \leftarrow \theta + m` is the same method with
    :math:`m = -\eta v` (see :func:`momentum_formulations`). Nesterov's look-ahead gradient
    :math:`\nabla f(\theta + \beta m)` becomes, after a change of variables, the update above.
    Nesterov needs :math:`\mu > 0` and :math:`\tau = 0`.
    """

    _update = staticmethod(sgd_update)
    _update_foreach = staticmethod(sgd_update_foreach)

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None):
        _check_switches("SGD", differentiable=differentiable, fused=fused)
        lr = check_nonnegative(lr, "lr")
        momentum = check_probability(momentum, "momentum", allow_one=False)
        dampening = check_probability(dampening, "dampening")
        weight_decay = check_nonnegative(weight_decay, "weight_decay")
        nesterov = check_bool(nesterov, "nesterov")
        maximize = check_bool(maximize, "maximize")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("nesterov=True requires momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize, foreach=_check_foreach(foreach)))


# --------------------------------------------------------------------------- AdaGrad
def adagrad_update(param: torch.Tensor, grad: torch.Tensor, state: dict, *, lr: float, lr_decay: float = 0.0,
                   weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10,
                   maximize: bool = False) -> None:
    r"""One AdaGrad step in place: :math:`s \leftarrow s + g^2`, :math:`\theta \leftarrow \theta -
    \frac{\eta_t}{\sqrt{s} + \epsilon} g` with :math:`\eta_t = \eta / (1 + (t-1)\,\text{lr\_decay})`.

    ``state``: ``step`` (int) and ``sum`` (:math:`s`, starts at ``initial_accumulator_value``).
    """
    if not state:
        state["step"] = 0
        state["sum"] = torch.full_like(param, initial_accumulator_value, memory_format=torch.preserve_format)
    state["step"] += 1
    g = _gradient(param, grad, weight_decay=weight_decay, maximize=maximize)
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"].addcmul_(g, g, value=1)
    param.addcdiv_(g, state["sum"].sqrt().add_(eps), value=-clr)


def adagrad_update_foreach(params: list[torch.Tensor], grads: list[torch.Tensor], states: list[dict], *,
                           lr: float, lr_decay: float = 0.0, weight_decay: float = 0.0,
                           initial_accumulator_value: float = 0.0, eps: float = 1e-10,
                           maximize: bool = False) -> None:
    """The same update as :func:`adagrad_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line."""
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


class Adagrad(LoopOptimizer):
    r"""AdaGrad (Duchi et al., 2011): a per-coordinate step that shrinks with the accumulated squared gradients.

    .. math::
        g_t &\leftarrow \nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1} \\
        s_t &\leftarrow s_{t-1} + g_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \frac{\eta}{1 + (t-1)\,\text{lr\_decay}}\;
                   \frac{g_t}{\sqrt{s_t} + \epsilon}

    Because :math:`s_t` only grows, every coordinate's effective learning rate
    :math:`\eta/\sqrt{s_t}` decays towards zero: AdaGrad can stop before it reaches a minimum.
    """

    _update = staticmethod(adagrad_update)
    _update_foreach = staticmethod(adagrad_update_foreach)

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None):
        _check_switches("Adagrad", differentiable=differentiable, fused=fused)
        super().__init__(params, dict(
            lr=check_nonnegative(lr, "lr"), lr_decay=check_nonnegative(lr_decay, "lr_decay"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            initial_accumulator_value=check_nonnegative(initial_accumulator_value, "initial_accumulator_value"),
            eps=check_nonnegative(eps, "eps"), maximize=check_bool(maximize, "maximize"),
            foreach=_check_foreach(foreach)))


# --------------------------------------------------------------------------- RMSProp
def _start_rmsprop_state(param: torch.Tensor, state: dict, *, momentum: float, centered: bool) -> None:
    """RMSProp's lazy state: the step count, the running mean square, and the buffers its options need."""
    state["step"] = 0
    state["square_avg"] = _zeros(param)
    if momentum > 0:
        state["momentum_buffer"] = _zeros(param)
    if centered:
        state["grad_avg"] = _zeros(param)


def rmsprop_update(param: torch.Tensor, grad: torch.Tensor, state: dict, *, lr: float, alpha: float = 0.99,
                   eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                   maximize: bool = False) -> None:
    r"""One RMSProp step in place.

    :math:`s \leftarrow \alpha s + (1-\alpha) g^2`; centred: :math:`\bar g \leftarrow \alpha\bar g + (1-\alpha) g`
    and :math:`s - \bar g^2` replaces :math:`s`; :math:`d = g / (\sqrt{s} + \epsilon)`; with momentum
    :math:`b \leftarrow \mu b + d` and :math:`\theta \leftarrow \theta - \eta b`, else :math:`\theta \leftarrow \theta - \eta d`.
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


def rmsprop_update_foreach(params: list[torch.Tensor], grads: list[torch.Tensor], states: list[dict], *,
                           lr: float, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
                           momentum: float = 0.0, centered: bool = False, maximize: bool = False) -> None:
    """The same update as :func:`rmsprop_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line."""
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


class RMSprop(LoopOptimizer):
    r"""RMSProp (Hinton, 2012): divide by a *moving average* of squared gradients instead of their sum.

    .. math::
        g_t &\leftarrow \nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1} \\
        s_t &\leftarrow \alpha s_{t-1} + (1 - \alpha) g_t^2 \\
        \tilde s_t &= s_t - \bar g_t^2,\quad \bar g_t \leftarrow \alpha \bar g_{t-1} + (1-\alpha) g_t
                      \quad\text{(centred variant; else } \tilde s_t = s_t) \\
        b_t &\leftarrow \mu b_{t-1} + \frac{g_t}{\sqrt{\tilde s_t} + \epsilon} \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\, b_t

    (without momentum, :math:`\mu = 0` and :math:`b_t` is just the scaled gradient). Old
    gradients are forgotten at rate :math:`\alpha`, so — unlike AdaGrad — the step does not
    decay to zero. The centred variant divides by an estimate of the gradient's *variance*.
    """

    _update = staticmethod(rmsprop_update)
    _update_foreach = staticmethod(rmsprop_update_foreach)

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False):
        _check_switches("RMSprop", capturable=capturable, differentiable=differentiable)
        super().__init__(params, dict(
            lr=check_nonnegative(lr, "lr"), alpha=check_probability(alpha, "alpha", allow_one=False),
            eps=check_nonnegative(eps, "eps"), weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            momentum=check_probability(momentum, "momentum", allow_one=False),
            centered=check_bool(centered, "centered"), maximize=check_bool(maximize, "maximize"),
            foreach=_check_foreach(foreach)))


# --------------------------------------------------------------------------- Adam family
def adam_update(param: torch.Tensor, grad: torch.Tensor, state: dict, *, lr: float,
                betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                amsgrad: bool = False, decoupled_weight_decay: bool = False, maximize: bool = False) -> None:
    r"""One Adam step in place (AdamW with ``decoupled_weight_decay=True``).

    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
    :math:`\hat m = m/(1-\beta_1^t)`, :math:`\hat v = v/(1-\beta_2^t)` (AMSGrad: the running maximum
    of :math:`v` instead), :math:`\theta \leftarrow \theta - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)`.
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
    bias_correction1 = 1 - beta1 ** t
    bias_correction2_sqrt = math.sqrt(1 - beta2 ** t)
    if amsgrad:
        torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        v = state["max_exp_avg_sq"]
    denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    param.addcdiv_(m, denom, value=-lr / bias_correction1)


def adam_update_foreach(params: list[torch.Tensor], grads: list[torch.Tensor], states: list[dict], *, lr: float,
                        betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                        amsgrad: bool = False, decoupled_weight_decay: bool = False, maximize: bool = False) -> None:
    """The same update as :func:`adam_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line."""
    beta1, beta2 = betas
    for param, state in zip(params, states):
        if not state:
            state["step"] = 0
            state["exp_avg"] = _zeros(param)
            state["exp_avg_sq"] = _zeros(param)
            if amsgrad:
                state["max_exp_avg_sq"] = _zeros(param)
    steps = _advance_steps(states)
    g = _gradients(params, grads, weight_decay=weight_decay, maximize=maximize, decoupled=decoupled_weight_decay,
                   lr=lr)
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
    torch._foreach_div_(denom, [math.sqrt(1 - beta2 ** t) for t in steps])
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(params, m, denom, [-lr / (1 - beta1 ** t) for t in steps])


class Adam(LoopOptimizer):
    r"""Adam (Kingma & Ba, 2015): momentum on the gradient, RMSProp on its square, both bias-corrected.

    .. math::
        g_t &\leftarrow \nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat m_t &= \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}
                   \quad(\text{AMSGrad: } \hat v_t = \max_{s\le t} v_s/(1-\beta_2^t)) \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    :math:`m` and :math:`v` start at zero, so during the first steps they are biased towards
    zero (after one step :math:`m_1 = (1-\beta_1) g_1`, one tenth of the gradient for
    :math:`\beta_1 = 0.9`); dividing by :math:`1-\beta^t` removes that bias. The defaults
    :math:`\beta_1 = 0.9,\ \beta_2 = 0.999,\ \epsilon = 10^{-8}` work for most problems.
    ``decoupled_weight_decay=True`` gives :class:`AdamW`.
    """

    _update = staticmethod(adam_update)
    _update_foreach = staticmethod(adam_update_foreach)

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False):
        _check_switches(type(self).__name__, capturable=capturable, differentiable=differentiable, fused=fused)
        super().__init__(params, dict(
            lr=check_nonnegative(lr, "lr"), betas=_check_betas(betas), eps=check_nonnegative(eps, "eps"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"), amsgrad=check_bool(amsgrad, "amsgrad"),
            decoupled_weight_decay=check_bool(decoupled_weight_decay, "decoupled_weight_decay"),
            maximize=check_bool(maximize, "maximize"), foreach=_check_foreach(foreach)))


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with *decoupled* weight decay.

    .. math::
        \theta_{t-1} &\leftarrow (1 - \eta\lambda)\,\theta_{t-1} \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    with :math:`\hat m_t, \hat v_t` as in :class:`Adam` computed from the *raw* gradient. In
    Adam + L2 the term :math:`\lambda\theta` is added to the gradient and then divided by
    :math:`\sqrt{\hat v}`, so weights with large gradients are barely decayed; AdamW shrinks
    every weight by the same factor.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True,
                         maximize=maximize, foreach=foreach, capturable=capturable,
                         differentiable=differentiable, fused=fused)


def nadam_update(param: torch.Tensor, grad: torch.Tensor, state: dict, *, lr: float,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False,
                 maximize: bool = False) -> None:
    r"""One Nadam step in place; ``state["mu_product"]`` is :math:`\prod_{s \le t} \mu_s` (see :class:`NAdam`)."""
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
    denom = v.div(1 - beta2 ** t).sqrt().add_(eps)
    param.addcdiv_(g, denom, value=-lr * (1 - mu) / (1 - mu_product))
    param.addcdiv_(m, denom, value=-lr * mu_next / (1 - mu_product * mu_next))


def nadam_update_foreach(params: list[torch.Tensor], grads: list[torch.Tensor], states: list[dict], *, lr: float,
                         betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                         momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False,
                         maximize: bool = False) -> None:
    """The same update as :func:`nadam_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line."""
    beta1, beta2 = betas
    for param, state in zip(params, states):
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = _zeros(param)
            state["exp_avg_sq"] = _zeros(param)
    steps = _advance_steps(states)
    g = _gradients(params, grads, weight_decay=weight_decay, maximize=maximize, decoupled=decoupled_weight_decay,
                   lr=lr)
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
    denom = torch._foreach_div(v, [1 - beta2 ** t for t in steps])
    torch._foreach_sqrt_(denom)
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(params, g, denom, grad_scales)
    torch._foreach_addcdiv_(params, m, denom, exp_avg_scales)


class NAdam(LoopOptimizer):
    r"""Nadam (Dozat, 2016): Adam with Nesterov momentum — the first moment is looked at one step ahead.

    With a momentum schedule :math:`\mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{t\,\psi}\right)`
    (:math:`\psi` = ``momentum_decay``):

    .. math::
        m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t} \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\,\frac{1}{\sqrt{\hat v_t} + \epsilon}
          \left(\frac{(1-\mu_t)\, g_t}{1 - \prod_{i\le t}\mu_i}
              + \frac{\mu_{t+1}\, m_t}{1 - \prod_{i\le t+1}\mu_i}\right)

    The second term uses the *next* step's momentum coefficient: the look-ahead of Nesterov's
    method, applied to Adam's bias-corrected first moment.
    """

    _update = staticmethod(nadam_update)
    _update_foreach = staticmethod(nadam_update_foreach)

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False,
                 *, foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        _check_switches("NAdam", capturable=capturable, differentiable=differentiable)
        super().__init__(params, dict(
            lr=check_nonnegative(lr, "lr"), betas=_check_betas(betas), eps=check_nonnegative(eps, "eps"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            momentum_decay=check_nonnegative(momentum_decay, "momentum_decay"),
            decoupled_weight_decay=check_bool(decoupled_weight_decay, "decoupled_weight_decay"),
            maximize=check_bool(maximize, "maximize"), foreach=_check_foreach(foreach)))


def adamax_update(param: torch.Tensor, grad: torch.Tensor, state: dict, *, lr: float,
                  betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                  maximize: bool = False) -> None:
    r"""One Adamax step in place: :math:`u \leftarrow \max(\beta_2 u, |g| + \epsilon)`,
    :math:`\theta \leftarrow \theta - \frac{\eta}{1-\beta_1^t}\,\frac{m}{u}`."""
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


def adamax_update_foreach(params: list[torch.Tensor], grads: list[torch.Tensor], states: list[dict], *,
                          lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                          weight_decay: float = 0.0, maximize: bool = False) -> None:
    """The same update as :func:`adamax_update`, applied to lists: parallel lists of parameters (one
    device and dtype), gradients and state dicts, one ``torch._foreach_*`` call per line."""
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
    torch._foreach_addcdiv_(params, exp_avgs, exp_infs, [-lr / (1 - beta1 ** t) for t in steps])


class Adamax(LoopOptimizer):
    r"""Adamax (Kingma & Ba, 2015): Adam with the :math:`L^2` norm of past gradients replaced by :math:`L^\infty`.

    .. math::
        m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t \\
        u_t &\leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
        \theta_t &\leftarrow \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t}

    :math:`u_t` needs no bias correction: a maximum is not pulled towards its zero start.
    """

    _update = staticmethod(adamax_update)
    _update_foreach = staticmethod(adamax_update_foreach)

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False):
        _check_switches("Adamax", differentiable=differentiable, capturable=capturable)
        super().__init__(params, dict(
            lr=check_nonnegative(lr, "lr"), betas=_check_betas(betas), eps=check_nonnegative(eps, "eps"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"), maximize=check_bool(maximize, "maximize"),
            foreach=_check_foreach(foreach)))


#: Every optimizer of the module by short name, with its ``torch.optim`` counterpart.
#: :meta hide-value:
OPTIMIZERS: dict[str, tuple[type, type]] = {
    "sgd": (SGD, torch.optim.SGD),
    "adagrad": (Adagrad, torch.optim.Adagrad),
    "rmsprop": (RMSprop, torch.optim.RMSprop),
    "adam": (Adam, torch.optim.Adam),
    "adamw": (AdamW, torch.optim.AdamW),
    "nadam": (NAdam, torch.optim.NAdam),
    "adamax": (Adamax, torch.optim.Adamax),
}


# --------------------------------------------------------------------------- the two momentum formulations
def momentum_step_seed(theta: torch.Tensor, grad: torch.Tensor, m: torch.Tensor, *, lr: float,
                       beta: float) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The textbook momentum step: :math:`m \leftarrow \beta m - \eta g`, :math:`\theta \leftarrow \theta + m`.

    Returns the new ``(theta, m)``; nothing is changed in place.
    """
    m = beta * m - lr * grad
    return theta + m, m


def momentum_step_torch(theta: torch.Tensor, grad: torch.Tensor, v: torch.Tensor, *, lr: float,
                        beta: float) -> tuple[torch.Tensor, torch.Tensor]:
    r"""PyTorch's momentum step: :math:`v \leftarrow \beta v + g`, :math:`\theta \leftarrow \theta - \eta v`.

    Returns the new ``(theta, v)``. With :math:`v_0 = m_0 = 0` and a constant :math:`\eta`,
    :math:`m_t = -\eta v_t` at every step, so both forms visit the same points. (PyTorch sets
    :math:`v_1 = g_1`, which is also what :math:`v_1 = \beta\cdot 0 + g_1` gives.)
    """
    v = beta * v + grad
    return theta - lr * v, v


def momentum_formulations(grad_fn: Callable[[torch.Tensor], torch.Tensor], theta0: torch.Tensor, *,
                          lr: float, beta: float, steps: int = 50) -> dict[str, torch.Tensor]:
    r"""Run both momentum formulations from ``theta0`` on the gradient field ``grad_fn``.

    Returns ``{"seed": trajectory, "torch": trajectory, "max_abs_difference": float tensor}``,
    each trajectory of shape ``(steps + 1, *theta0.shape)``. The difference is rounding only.

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


def make_optimizer(name: str, params, *, reference: bool = False, **kwargs) -> torch.optim.Optimizer:
    """Build optimizer ``name`` (a key of :data:`OPTIMIZERS`) on ``params``; ``reference=True`` builds
    the ``torch.optim`` counterpart instead. ``kwargs`` go to the constructor."""
    ours, theirs = OPTIMIZERS[check_choice(name, "name", OPTIMIZERS)]
    return (theirs if reference else ours)(params, **kwargs)
