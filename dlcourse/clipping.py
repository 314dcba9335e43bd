r"""Gradient clipping: bound the gradients before each step, so that one steep region cannot throw the
parameters far away.

Clipping *by value* caps every component at :math:`\pm c`; clipping *by norm* rescales all the
gradients together when their global norm exceeds a threshold, which keeps the direction.
:func:`add_gradient_clipping` plugs either into an optimizer, so that :func:`dlcourse.training.fit`
clips before every ``optimizer.step()``. Each function is tested equal to ``torch.nn.utils``'.

Examples
--------
>>> import torch
>>> w = torch.nn.Parameter(torch.zeros(2))
>>> w.grad = torch.tensor([3.0, 4.0])
>>> float(clip_grad_norm_([w], 1.0))   # the norm before clipping
5.0
>>> w.grad
tensor([0.6000, 0.8000])
"""

from __future__ import annotations

import numbers

import torch

from ._checks import check_nonnegative, check_tensor

__all__ = [
    "clip_grad_value_",
    "clip_grad_norm_",
    "add_gradient_clipping",
]


def _grads(parameters) -> list[torch.Tensor]:
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    try:
        params = list(parameters)
    except TypeError:
        raise TypeError(
            f"parameters must be a tensor or an iterable of tensors, got {type(parameters).__name__}"
        ) from None
    for p in params:
        check_tensor(p, "parameters[i]")
    return [p.grad for p in params if p.grad is not None]


@torch.no_grad()
def clip_grad_value_(parameters, clip_value: float) -> None:
    r"""Clip every gradient entry into :math:`[-c, c]` in place: :math:`g_i \leftarrow \min(\max(g_i, -c), c)`.

    Cheap, but it changes the gradient's *direction* when some entries are clipped and others
    are not: [0.9, 3.2, 150.0, −2.1, 0.3] with :math:`c = 1` becomes [0.9, 1.0, 1.0, −1.0, 0.3].
    Same result as ``torch.nn.utils.clip_grad_value_``.

    Parameters
    ----------
    parameters : torch.Tensor or iterable of torch.Tensor
        The parameters whose ``.grad`` to clip, e.g. ``model.parameters()``; those without a gradient are skipped.
    clip_value : float
        The bound :math:`c`; must be >= 0.
    """
    c = check_nonnegative(clip_value, "clip_value")
    for g in _grads(parameters):
        g.clamp_(min=-c, max=c)


def _global_norm(grads: list[torch.Tensor], norm_type: float = 2.0) -> torch.Tensor:
    if not grads:
        return torch.tensor(0.0)
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type).to(grads[0].device) for g in grads])
    return torch.linalg.vector_norm(norms, norm_type)


@torch.no_grad()
def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0) -> torch.Tensor:
    r"""Rescale all gradients together so that their global norm is at most ``max_norm``; return the norm before.

    The global norm treats every gradient of every parameter as one long vector:
    :math:`\|g\| = \big(\sum_p \|g_p\|^q\big)^{1/q}` (:math:`q` = ``norm_type``, ``inf`` for the
    largest entry). If :math:`\|g\| > \text{max\_norm}`, every gradient is multiplied by
    :math:`\text{max\_norm} / (\|g\| + 10^{-6})`, which keeps the direction. For
    [0.9, 3.2, 150.0, −2.1, 0.3] (norm ≈ 150.05) and max_norm 1 the result is ≈
    [0.006, 0.021, 1.0, −0.014, 0.002]. Same result as ``torch.nn.utils.clip_grad_norm_``.

    Parameters
    ----------
    parameters : torch.Tensor or iterable of torch.Tensor
        The parameters whose ``.grad`` to clip, e.g. ``model.parameters()``; those without a gradient are skipped.
    max_norm : float
        The largest global norm allowed; must be >= 0.
    norm_type : float, default 2.0
        The order :math:`q` of the norm: a number > 0, or ``float("inf")``.

    Returns
    -------
    torch.Tensor
        The global norm before clipping, a 0-d tensor (0 when no parameter has a gradient).
    """
    max_norm = check_nonnegative(max_norm, "max_norm")
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) or not norm_type > 0:
        raise ValueError(f"norm_type must be a positive number or inf, got {norm_type!r}")
    grads = _grads(parameters)
    total = _global_norm(grads, float(norm_type))
    scale = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(scale.to(g.device, g.dtype))
    return total


def add_gradient_clipping(
    optimizer: torch.optim.Optimizer, *, clip_value: float | None = None, max_norm: float | None = None
) -> list[float]:
    """Make ``optimizer`` clip the gradients before every ``step()`` (a step pre-hook).

    Give ``clip_value`` (:func:`clip_grad_value_`), ``max_norm`` (:func:`clip_grad_norm_`), or
    neither (nothing is clipped, the norms are only recorded). Works with
    :func:`dlcourse.training.fit`, which calls ``optimizer.step()``.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer; all the parameters of all its parameter groups are clipped together.
    clip_value : float or None, default None
        Keyword-only: clip by value at this bound (>= 0).
    max_norm : float or None, default None
        Keyword-only: clip the global 2-norm to at most this (>= 0). At most one of the two may be given.

    Returns
    -------
    list of float
        A list that receives, at every step, the global 2-norm of the gradients *before* clipping.
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    if clip_value is not None and max_norm is not None:
        raise ValueError("clip_value / max_norm: give at most one of them")
    if clip_value is not None:
        check_nonnegative(clip_value, "clip_value")
    if max_norm is not None:
        check_nonnegative(max_norm, "max_norm")
    norms: list[float] = []

    @torch.no_grad()
    def hook(opt, args, kwargs):
        params = [p for group in opt.param_groups for p in group["params"]]
        norms.append(float(_global_norm(_grads(params))))
        if max_norm is not None:
            clip_grad_norm_(params, max_norm)
        elif clip_value is not None:
            clip_grad_value_(params, clip_value)

    optimizer.register_step_pre_hook(hook)
    return norms
