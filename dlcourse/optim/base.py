"""The base class of the course's optimizers, :class:`LoopOptimizer`, and the argument checks and
state helpers that the update rules, their foreach twins and the optimizers share."""

from __future__ import annotations

import functools
import inspect
from typing import Callable

import torch
from torch.optim import optimizer as _torch_optimizer

from .._checks import check_probability

__all__ = [
    "LoopOptimizer",
]


# --------------------------------------------------------------------------- validation
def _check_betas(betas) -> tuple[float, float]:
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return (
        check_probability(betas[0], "betas[0]", allow_one=False),
        check_probability(betas[1], "betas[1]", allow_one=False),
    )


def _zeros(param: torch.Tensor) -> torch.Tensor:
    return torch.zeros_like(param, memory_format=torch.preserve_format)


def _gradient(
    param: torch.Tensor,
    grad: torch.Tensor,
    *,
    weight_decay: float,
    maximize: bool,
    decoupled: bool = False,
    lr: float = 0.0,
) -> torch.Tensor:
    r"""The gradient an update uses: :math:`-g` when maximising, plus :math:`\lambda\theta` (L2 decay);
    with ``decoupled=True`` the parameter is shrunk in place by :math:`(1 - \eta\lambda)` instead (AdamW)."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled:
            param.mul_(1 - lr * weight_decay)  # shrink the weights directly, outside the adaptive scaling
        else:
            g = g.add(param, alpha=weight_decay)  # L2: the decay goes through the moments
    return g


def _gradients(
    params: list[torch.Tensor],
    grads: list[torch.Tensor],
    *,
    weight_decay: float,
    maximize: bool,
    decoupled: bool = False,
    lr: float = 0.0,
) -> list[torch.Tensor]:
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
                f"only; torch.optim's {name} path is not provided. Use torch.optim.{owner} for it."
            )


def _check_foreach(foreach) -> bool | None:
    if foreach is not None and not isinstance(foreach, bool):
        raise TypeError(f"foreach must be None or a bool, got {type(foreach).__name__}")
    return foreach


@functools.cache
def _hyperparameter_names(update: Callable) -> tuple[str, ...]:
    """The keyword-only arguments of a functional update: the group entries it reads."""
    return tuple(n for n, p in inspect.signature(update).parameters.items() if p.kind is p.KEYWORD_ONLY)


def _step_hooks(step: Callable) -> Callable:
    """``step`` with torch.optim's step hooks, but the profiler scope only while a profiler records.

    ``torch.optim.Optimizer`` wraps every subclass's ``step`` so that it runs the step pre- and post-hooks
    (``register_step_pre_hook``, ``torch.optim.optimizer.register_optimizer_step_pre_hook``) inside a
    ``record_function`` scope. Opening that scope costs more than the update of a small MLP's parameters
    (about 90 µs a step on the course machine); this wrapper runs the same hooks in the same order and opens
    the scope only when ``torch.profiler`` is recording. Marked ``hooked`` so that torch does not wrap it again.
    """

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]
        if torch.autograd._profiler_enabled():
            with torch.autograd.profiler.record_function(f"Optimizer.step#{type(self).__name__}.step"):
                return _run_hooked(step, self, args, kwargs)
        return _run_hooked(step, self, args, kwargs)

    wrapper.hooked = True
    return wrapper


def _run_hooked(step: Callable, self, args: tuple, kwargs: dict):
    for pre_hook in (*_torch_optimizer._global_optimizer_pre_hooks.values(), *self._optimizer_step_pre_hooks.values()):
        result = pre_hook(self, args, kwargs)
        if result is not None:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but got {result}.")
            args, kwargs = result
    out = step(*args, **kwargs)
    self._optimizer_step_code()
    for post_hook in (
        *self._optimizer_step_post_hooks.values(),
        *_torch_optimizer._global_optimizer_post_hooks.values(),
    ):
        post_hook(self, args, kwargs)
    return out


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

    Parameters
    ----------
    params : iterable of torch.Tensor or of dict
        The parameters to optimize, or parameter groups (dicts with a ``"params"`` entry and
        per-group hyperparameters), as in ``torch.optim``.
    defaults : dict
        The default hyperparameters of every group (the keyword arguments of ``_update``, and
        ``foreach``).
    """

    _update: Callable
    _update_foreach: Callable

    def __init__(self, params, defaults: dict):
        super().__init__(params, defaults)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradient of every parameter, as ``torch.optim.Optimizer.zero_grad`` does.

        Without torch's profiler scope, which costs about as much as zeroing a small model's gradients
        (``training.fit`` calls this once per mini-batch).

        Parameters
        ----------
        set_to_none : bool, default True
            Set each gradient to ``None`` (the next backward pass allocates it anew) instead of filling
            it with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def add_param_group(self, param_group: dict) -> None:  # noqa: D102 - torch's, plus a check
        """Add a parameter group, as ``torch.optim.Optimizer.add_param_group`` does; complex
        parameters are refused (``NotImplementedError``).

        Parameters
        ----------
        param_group : dict
            The group: a ``"params"`` entry, and hyperparameters that override the defaults.
        """
        super().add_param_group(param_group)
        _refuse_complex(type(self).__name__, self.param_groups[-1]["params"])

    def _hyperparameters(self, group: dict) -> dict:
        # only what the update reads: schedulers add "initial_lr", torch's state dicts "foreach", ...
        return {k: group[k] if k in group else self.defaults[k] for k in _hyperparameter_names(type(self)._update)}

    def state_dict(self) -> dict:  # noqa: D102 - documented on the class
        """The optimizer's state and groups in ``torch.optim``'s format (see the class).

        Returns
        -------
        dict
            ``{"state": ..., "param_groups": ...}``, the step counts as float32 tensors.
        """
        packed = super().state_dict()
        packed["state"] = {
            key: {name: _to_torch_scalar(name, value) for name, value in state.items()}
            for key, state in packed["state"].items()
        }
        return packed

    def load_state_dict(self, state_dict: dict) -> None:  # noqa: D102 - documented on the class
        """Restore a state saved by :meth:`state_dict` or by the matching ``torch.optim`` optimizer.

        Parameters
        ----------
        state_dict : dict
            The saved state; it is not modified.
        """
        state_dict = dict(state_dict)
        # Python numbers pass torch's loader untouched (a tensor would be cast to the parameter's dtype)
        state_dict["state"] = {
            key: {name: _from_torch_scalar(name, value) for name, value in state.items()}
            for key, state in state_dict["state"].items()
        }
        super().load_state_dict(state_dict)

    @torch.no_grad()
    @_step_hooks
    def step(self, closure: Callable | None = None):
        """Perform one update of every parameter that has a gradient; returns ``closure()`` if given.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss; called once, with gradients enabled,
            before the update.

        Returns
        -------
        object or None
            What ``closure()`` returned (usually the loss), or ``None`` without a closure.

        Raises
        ------
        RuntimeError
            If a gradient is sparse.
        """
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


def _by_device_and_dtype(
    params: list[torch.Tensor], grads: list[torch.Tensor], states: list[dict]
) -> list[tuple[list, list, list]]:
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
        raise NotImplementedError(
            f"params: {owner} does not support complex parameters "
            "(torch.optim views them as pairs of reals; use torch.view_as_real yourself)"
        )


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
