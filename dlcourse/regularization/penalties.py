r"""Weight penalties: L1, L2 and the elastic net, their gradients, and the proximal step that gives L1 its exact zeros.

The L2 penalty is :math:`\frac{\alpha}{2}\sum w^2`, so that its gradient :math:`\alpha w` is what
``torch.optim.SGD(weight_decay=alpha)`` adds. :func:`weight_parameters` says which parameters a penalty (or
pruning, ``pruning``) acts on: by default not the biases and not the
normalization layers.

Examples
--------
>>> import torch
>>> l1_penalty_grad(torch.tensor([3.0, -4.0, 0.0]), alpha=0.1)
tensor([ 0.1000, -0.1000,  0.0000])
>>> soft_threshold(torch.tensor([3.0, -0.5]), 1.0)
tensor([2., 0.])
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import (
    check_nonnegative,
    check_positive_int,
    check_probability,
    check_tensor,
)

__all__ = [
    "NORM_TYPES",
    "weight_parameters",
    "l1_penalty",
    "l2_penalty",
    "elastic_net_penalty",
    "l1_penalty_grad",
    "l2_penalty_grad",
    "soft_threshold",
    "l1_proximal_step",
    "l1_least_squares",
    "regularized_loss",
]


#: Module types whose parameters are *not* penalised by default (they scale or shift, they do not weigh).
#: :meta hide-value:
NORM_TYPES: tuple[type, ...] = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm)


# --------------------------------------------------------------------------- which parameters
def weight_parameters(model, *, include_bias: bool = False, include_norm: bool = False) -> dict[str, torch.Tensor]:
    """The parameters a penalty (or pruning) acts on, by qualified name.

    ``model`` is an ``nn.Module``, or an iterable of tensors (then all of them are used). By default
    biases and the parameters of normalization layers (``NORM_TYPES``) are left out: they shift or
    rescale activations and do not make a model more complex.

    Parameters
    ----------
    model : nn.Module or torch.Tensor or iterable of torch.Tensor
        The model whose parameters are selected; a single tensor or an iterable of tensors is taken whole.
    include_bias : bool, default False
        Also select the parameters named ``bias`` (only for an ``nn.Module``).
    include_norm : bool, default False
        Also select the parameters of the normalization layers in ``NORM_TYPES`` (only for an ``nn.Module``).

    Returns
    -------
    dict of str to torch.Tensor
        The selected parameters by qualified name (``"0.weight"``); for tensors, ``"tensor"`` or
        ``"tensor0"``, ``"tensor1"``, ...

    Raises
    ------
    TypeError
        If ``model`` is neither a module nor an iterable, or an element of the iterable is not a tensor.
    """
    if isinstance(model, torch.Tensor):
        return {"tensor": model}
    if not isinstance(model, nn.Module):
        try:
            tensors = list(model)
        except TypeError:
            raise TypeError(
                f"model must be an nn.Module or an iterable of tensors, got {type(model).__name__}"
            ) from None
        return {f"tensor{i}": check_tensor(t, f"model[{i}]") for i, t in enumerate(tensors)}
    selected = {}
    for module_name, module in model.named_modules():
        if isinstance(module, NORM_TYPES) and not include_norm:
            continue
        for name, param in module.named_parameters(recurse=False):
            if name == "bias" and not include_bias:
                continue
            selected[f"{module_name}.{name}" if module_name else name] = param
    return selected


# --------------------------------------------------------------------------- penalties
def l1_penalty(model, alpha: float = 1.0, **select) -> torch.Tensor:
    r"""L1 penalty :math:`\alpha \sum_i |w_i|` over :func:`weight_parameters` (``select``: its keywords).

    Its (sub)gradient :math:`\alpha\,\operatorname{sign}(w)` has the same size for every weight,
    however small, which is why L1 pushes weights all the way to zero (sparsity). A (sub)gradient
    step does not stop there: near zero it overshoots by about :math:`\eta\alpha` and the weight
    zig-zags around 0. Exact zeros come from the proximal step :func:`soft_threshold`
    (:func:`l1_proximal_step`) or from pruning.

    Parameters
    ----------
    model : nn.Module or torch.Tensor or iterable of torch.Tensor
        The weights, as accepted by :func:`weight_parameters`.
    alpha : float, default 1.0
        Penalty strength :math:`\alpha`; must be >= 0.
    **select
        Keywords of :func:`weight_parameters` (``include_bias``, ``include_norm``).

    Returns
    -------
    torch.Tensor
        The penalty, a scalar; differentiable with respect to the weights.
    """
    alpha = check_nonnegative(alpha, "alpha")
    params = weight_parameters(model, **select).values()
    return alpha * sum((p.abs().sum() for p in params), torch.tensor(0.0))


def l2_penalty(model, alpha: float = 1.0, **select) -> torch.Tensor:
    r"""L2 penalty :math:`\frac{\alpha}{2} \sum_i w_i^2` over :func:`weight_parameters`.

    Its gradient :math:`\alpha w` shrinks every weight in proportion to its size; added to the
    loss and minimised with plain SGD it is *identical* to ``SGD(weight_decay=alpha)``.

    Parameters
    ----------
    model : nn.Module or torch.Tensor or iterable of torch.Tensor
        The weights, as accepted by :func:`weight_parameters`.
    alpha : float, default 1.0
        Penalty strength :math:`\alpha`; must be >= 0.
    **select
        Keywords of :func:`weight_parameters` (``include_bias``, ``include_norm``).

    Returns
    -------
    torch.Tensor
        The penalty, a scalar; differentiable with respect to the weights.
    """
    alpha = check_nonnegative(alpha, "alpha")
    params = weight_parameters(model, **select).values()
    return 0.5 * alpha * sum((p.pow(2).sum() for p in params), torch.tensor(0.0))


def elastic_net_penalty(model, alpha: float = 1.0, l1_ratio: float = 0.5, **select) -> torch.Tensor:
    r"""Elastic net (scikit-learn's convention):
    :math:`\alpha\left(\rho \sum_i |w_i| + \frac{1-\rho}{2} \sum_i w_i^2\right)` with :math:`\rho` = ``l1_ratio``
    in [0, 1] (1: pure L1, 0: pure L2).

    It is :func:`l1_penalty` with strength :math:`\alpha\rho` plus :func:`l2_penalty` with strength
    :math:`\alpha(1-\rho)`, so ``regularized_loss(model, l1=alpha * rho, l2=alpha * (1 - rho))`` trains with
    it. Its (sub)gradient is :math:`\alpha\rho\,\operatorname{sign}(w) + \alpha(1-\rho)\,w`: the L1 part
    pushes small weights to zero, the L2 part shrinks large ones and, among correlated inputs, spreads the
    weight over the group instead of picking one. The test checks it against
    ``sklearn.linear_model.ElasticNet``'s solution (whose objective uses this penalty).

    Parameters
    ----------
    model : nn.Module or torch.Tensor or iterable of torch.Tensor
        The weights, as accepted by :func:`weight_parameters`.
    alpha : float, default 1.0
        Overall strength :math:`\alpha`; must be >= 0.
    l1_ratio : float, default 0.5
        The L1 share :math:`\rho`; must be in [0, 1].
    **select
        Keywords of :func:`weight_parameters` (``include_bias``, ``include_norm``).

    Returns
    -------
    torch.Tensor
        The penalty, a scalar.

    Examples
    --------
    >>> w = torch.tensor([3.0, -4.0])
    >>> elastic_net_penalty([w], alpha=0.1, l1_ratio=0.5)   # 0.1 * (0.5 * 7 + 0.25 * 25)
    tensor(0.9750)
    """
    alpha = check_nonnegative(alpha, "alpha")
    rho = check_probability(l1_ratio, "l1_ratio")
    return l1_penalty(model, alpha * rho, **select) + l2_penalty(model, alpha * (1.0 - rho), **select)


def l1_penalty_grad(weight: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    r"""Gradient of :math:`\alpha\sum|w|`: :math:`\alpha\,\operatorname{sign}(w)` (0 at :math:`w = 0`, as autograd).

    Parameters
    ----------
    weight : torch.Tensor
        The weights, floating point, any shape.
    alpha : float, default 1.0
        Penalty strength; must be >= 0.

    Returns
    -------
    torch.Tensor
        :math:`\alpha\,\operatorname{sign}(w)`, same shape as ``weight``.
    """
    return check_nonnegative(alpha, "alpha") * torch.sign(check_tensor(weight, "weight", floating=True))


def l2_penalty_grad(weight: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    r"""Gradient of :math:`\frac{\alpha}{2}\sum w^2`: :math:`\alpha w`.

    Parameters
    ----------
    weight : torch.Tensor
        The weights, floating point, any shape.
    alpha : float, default 1.0
        Penalty strength; must be >= 0.

    Returns
    -------
    torch.Tensor
        :math:`\alpha w`, same shape as ``weight``.
    """
    return check_nonnegative(alpha, "alpha") * check_tensor(weight, "weight", floating=True)


def soft_threshold(w: torch.Tensor, threshold: float) -> torch.Tensor:
    r"""Soft-thresholding, the proximal operator of :math:`\tau\|w\|_1`:
    :math:`S_\tau(w) = \operatorname{sign}(w)\,\max(|w| - \tau,\ 0)`, with :math:`\tau` = ``threshold`` :math:`\ge 0`.

    :math:`S_\tau(w) = \arg\min_v \tfrac12\|v - w\|^2 + \tau\|v\|_1`: every entry with :math:`|w_i| \le \tau`
    becomes *exactly* 0 and the others move :math:`\tau` towards 0. A gradient step on the data loss
    followed by :math:`S_{\eta\alpha}` (learning rate :math:`\eta`, L1 strength :math:`\alpha`) is the proximal
    gradient step (ISTA) on :math:`L(w) + \alpha\|w\|_1`. Equals ``torch.nn.functional.softshrink(w, τ)``.

    Parameters
    ----------
    w : torch.Tensor
        Floating-point tensor, any shape.
    threshold : float
        :math:`\tau`; must be >= 0.

    Returns
    -------
    torch.Tensor
        :math:`S_\tau(w)`, same shape as ``w``.

    Examples
    --------
    >>> soft_threshold(torch.tensor([-1.5, -0.2, 0.0, 0.3, 2.0]), 0.5)
    tensor([-1.0000,  0.0000,  0.0000,  0.0000,  1.5000])
    """
    w = check_tensor(w, "w", floating=True)
    threshold = check_nonnegative(threshold, "threshold")
    return w - w.clamp(-threshold, threshold)  # = sign(w) max(|w| - τ, 0), with +0.0 (not -0.0) inside the band


@torch.no_grad()
def l1_proximal_step(model, threshold: float, **select) -> None:
    r"""Apply :func:`soft_threshold` in place to the weights chosen by :func:`weight_parameters`.

    Called after each optimizer step on the *unpenalised* loss with ``threshold`` :math:`= \eta\alpha`, it
    turns plain SGD into proximal gradient descent on :math:`L + \alpha\sum|w|`; called once on a
    trained network, it zeroes every weight with :math:`|w| \le \tau` (and shrinks the others by :math:`\tau`).

    Parameters
    ----------
    model : nn.Module or torch.Tensor or iterable of torch.Tensor
        The weights, as accepted by :func:`weight_parameters`; modified in place.
    threshold : float
        :math:`\tau`; must be >= 0.
    **select
        Keywords of :func:`weight_parameters` (``include_bias``, ``include_norm``).
    """
    threshold = check_nonnegative(threshold, "threshold")
    for p in weight_parameters(model, **select).values():
        p.copy_(soft_threshold(p, threshold))


def l1_least_squares(
    X: torch.Tensor, y: torch.Tensor, alpha: float, *, lr: float, steps: int = 500, proximal: bool = True
) -> torch.Tensor:
    r"""Minimise the lasso objective :math:`f(w) + \alpha\|w\|_1`, :math:`f(w) = \frac{1}{2n}\|Xw - y\|^2`, from
    :math:`w_0 = 0` with ``steps`` steps of size :math:`\eta` = ``lr``; return the whole trajectory, shape
    ``(steps + 1, d)``.

    - ``proximal=False``, (sub)gradient descent: :math:`w \leftarrow w - \eta\,(\nabla f(w) + \alpha\operatorname{sign}(w))`.
      A weight whose optimum is 0 cannot settle there: each step overshoots zero by up to
      :math:`\eta(\alpha + |\nabla_i f|)`, so it zig-zags around 0 and is almost never exactly 0.
    - ``proximal=True``, ISTA: :math:`w \leftarrow S_{\eta\alpha}(w - \eta\nabla f(w))` (:func:`soft_threshold`):
      such a weight lands on 0 exactly and stays there.

    :math:`\nabla f(w) = X^\top(Xw - y)/n`. With :math:`\eta \le 1/\lambda_{\max}(X^\top X/n)` ISTA converges to
    the solution of scikit-learn's ``Lasso(alpha, fit_intercept=False)``. Computed in ``X``'s dtype.

    Parameters
    ----------
    X : torch.Tensor
        Inputs, floating point, shape ``(n, d)``.
    y : torch.Tensor
        Targets, floating point, shape ``(n,)``.
    alpha : float
        L1 strength :math:`\alpha`; must be >= 0.
    lr : float
        Step size :math:`\eta`; must be >= 0.
    steps : int, default 500
        Number of steps; must be >= 1.
    proximal : bool, default True
        ISTA if True, (sub)gradient descent if False.

    Returns
    -------
    torch.Tensor
        The iterates :math:`w_0 = 0, w_1, \dots`, shape ``(steps + 1, d)``.

    Raises
    ------
    ValueError
        If the shapes are not ``(n, d)`` and ``(n,)``, or a number is out of range.
    """
    X = check_tensor(X, "X", floating=True)
    y = check_tensor(y, "y", floating=True)
    if X.dim() != 2 or y.shape != X.shape[:1]:
        raise ValueError(f"X must be (n, d) and y (n,), got shapes {tuple(X.shape)} and {tuple(y.shape)}")
    alpha = check_nonnegative(alpha, "alpha")
    lr = check_nonnegative(lr, "lr")
    steps = check_positive_int(steps, "steps")
    y = y.to(X.dtype)
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device)
    path = [w]
    for _ in range(steps):
        grad = X.T @ (X @ w - y) / len(X)
        w = soft_threshold(w - lr * grad, lr * alpha) if proximal else w - lr * (grad + alpha * torch.sign(w))
        path.append(w)
    return torch.stack(path)


def regularized_loss(
    model: nn.Module, loss_fn: Callable = F.cross_entropy, *, l1: float = 0.0, l2: float = 0.0, **select
) -> Callable:
    r"""A loss for :func:`dlcourse.training.fit`: :math:`\text{loss\_fn}(\hat y, y) + \text{L1}_{l1} + \text{L2}_{l2}`.

    The penalties are recomputed from ``model``'s current weights at every call. Note that
    :func:`~dlcourse.training.evaluate` then reports the penalised loss too; the metric is unaffected.

    Parameters
    ----------
    model : nn.Module
        The model whose weights are penalised.
    loss_fn : callable, default ``torch.nn.functional.cross_entropy``
        The data loss, ``loss_fn(output, target) -> torch.Tensor``.
    l1 : float, default 0.0
        Strength of :func:`l1_penalty`; must be >= 0 (0: no L1 term).
    l2 : float, default 0.0
        Strength of :func:`l2_penalty`; must be >= 0 (0: no L2 term).
    **select
        Keywords of :func:`weight_parameters` (``include_bias``, ``include_norm``).

    Returns
    -------
    callable
        ``loss(output, target) -> torch.Tensor``, the penalised scalar loss.
    """
    l1 = check_nonnegative(l1, "l1")
    l2 = check_nonnegative(l2, "l2")

    def loss(output, target):
        value = loss_fn(output, target)
        if l1:
            value = value + l1_penalty(model, l1, **select).to(value.device)
        if l2:
            value = value + l2_penalty(model, l2, **select).to(value.device)
        return value

    return loss
