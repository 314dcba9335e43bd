r"""Losses C: the differentiable functions we *optimise* (tested equal to ``torch.nn.functional``).

Every loss has the signature ``loss(output, target, ..., reduction="mean")`` so that it can
be passed to :func:`dlcourse.training.fit` as ``loss_fn`` (use ``functools.partial`` to
fix extra arguments). ``reduction`` is ``"mean"``, ``"sum"`` or ``"none"`` (per element).

Examples
--------
>>> import torch
>>> huber_loss(torch.tensor([0.0, 3.0]), torch.tensor([0.5, 0.0]), delta=1.0)
tensor(1.3125)
>>> class_weights([0, 0, 0, 1])
tensor([0.6667, 2.0000])
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from ._checks import check_choice, check_positive, check_positive_int, check_tensor

__all__ = [
    "REDUCTIONS",
    "mse_loss",
    "mae_loss",
    "huber_loss",
    "bce_with_logits",
    "cross_entropy",
    "class_weights",
    "weighted_cross_entropy",
    "LOSSES",
]

REDUCTIONS = ("mean", "sum", "none")


def _reduce(values: torch.Tensor, reduction: str) -> torch.Tensor:
    reduction = check_choice(reduction, "reduction", REDUCTIONS)
    if reduction == "mean":
        return values.mean()
    return values.sum() if reduction == "sum" else values


def _pair(output, target) -> tuple[torch.Tensor, torch.Tensor]:
    output = check_tensor(output, "output", floating=True)
    target = check_tensor(target, "target")
    if target.numel() != output.numel():
        raise ValueError(
            f"target must have as many elements as output, got {tuple(target.shape)} and {tuple(output.shape)}"
        )
    return output, target.reshape(output.shape).to(output.dtype)


def mse_loss(output: torch.Tensor, target: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    r"""Squared error :math:`(\hat y - y)^2`: large errors dominate (an outlier at distance
    :math:`d` costs :math:`d^2`); the optimum is the conditional *mean*.

    Parameters
    ----------
    output : torch.Tensor
        Floating-point predictions, any shape.
    target : torch.Tensor
        Targets with as many elements as ``output`` (reshaped to its shape and dtype).
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the per-element losses.

    Returns
    -------
    torch.Tensor
        A scalar, or the per-element losses in the shape of ``output`` for ``reduction="none"``.
    """
    output, target = _pair(output, target)
    return _reduce((output - target) ** 2, reduction)


def mae_loss(output: torch.Tensor, target: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    r"""Absolute error :math:`|\hat y - y|`: robust to outliers (cost grows linearly); the optimum
    is the conditional *median*. Its gradient has constant size, even near the optimum.

    Parameters
    ----------
    output : torch.Tensor
        Floating-point predictions, any shape.
    target : torch.Tensor
        Targets with as many elements as ``output`` (reshaped to its shape and dtype).
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the per-element losses.

    Returns
    -------
    torch.Tensor
        A scalar, or the per-element losses in the shape of ``output`` for ``reduction="none"``.
    """
    output, target = _pair(output, target)
    return _reduce((output - target).abs(), reduction)


def huber_loss(
    output: torch.Tensor, target: torch.Tensor, *, delta: float = 1.0, reduction: str = "mean"
) -> torch.Tensor:
    r"""Huber loss: quadratic near 0, linear beyond :math:`\delta`,

    .. math:: \ell_\delta(r) = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\
              \delta\,(|r| - \tfrac12\delta) & |r| > \delta \end{cases}, \qquad r = \hat y - y.

    Smooth like MSE for small errors, robust like MAE for large ones.

    Parameters
    ----------
    output : torch.Tensor
        Floating-point predictions, any shape.
    target : torch.Tensor
        Targets with as many elements as ``output`` (reshaped to its shape and dtype).
    delta : float, default 1.0
        Where the loss turns from quadratic to linear; must be > 0.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the per-element losses.

    Returns
    -------
    torch.Tensor
        A scalar, or the per-element losses in the shape of ``output`` for ``reduction="none"``.
    """
    delta = check_positive(delta, "delta")
    output, target = _pair(output, target)
    r = (output - target).abs()
    return _reduce(torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)), reduction)


def bce_with_logits(
    logits: torch.Tensor, target: torch.Tensor, *, pos_weight=None, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy on a logit :math:`z` (probability :math:`\sigma(z)`), computed stably:

    .. math:: -\big[p\,y\log\sigma(z) + (1-y)\log(1-\sigma(z))\big]
              = (1-y)\,z + (1 + (p-1)y)\,\log(1 + e^{-z}),

    with positive-class weight :math:`p` (``pos_weight``, default 1). The last factor is
    evaluated as ``logaddexp(0, -z)`` :math:`= m + \log(e^{-m} + e^{-z-m})`, :math:`m = \max(0, -z)`:
    it never evaluates :math:`\log 0` and never overflows, whatever the size of :math:`z`
    (the naive ``-log(sigmoid(z))`` gives ``inf`` for :math:`z < -104` in float32).

    Parameters
    ----------
    logits : torch.Tensor
        Floating-point logits :math:`z`, any shape.
    target : torch.Tensor
        Labels :math:`y` in {0, 1} (or probabilities in [0, 1]) with as many elements as ``logits``.
    pos_weight : float or torch.Tensor, optional
        The weight :math:`p` of the positive term (broadcast against ``logits``); ``None`` means 1.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the per-element losses.

    Returns
    -------
    torch.Tensor
        A scalar, or the per-element losses in the shape of ``logits`` for ``reduction="none"``.
    """
    logits, target = _pair(logits, target)
    softplus_neg = torch.logaddexp(torch.zeros_like(logits), -logits)  # -log σ(z) = log(e^0 + e^{-z})
    weight = 1.0 if pos_weight is None else 1 + (torch.as_tensor(pos_weight, dtype=logits.dtype) - 1) * target
    return _reduce((1 - target) * logits + weight * softplus_neg, reduction)


def cross_entropy(
    logits: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None, reduction: str = "mean"
) -> torch.Tensor:
    r"""Categorical cross-entropy of logits :math:`z \in \mathbb{R}^{n\times C}` and labels :math:`y_i`:

    .. math:: \ell_i = -w_{y_i} \log \operatorname{softmax}(z_i)_{y_i}
              = w_{y_i}\big(\log\textstyle\sum_k e^{z_{ik}} - z_{i y_i}\big),

    with the log-sum-exp computed stably. With class weights :math:`w`, ``"mean"`` divides by
    :math:`\sum_i w_{y_i}` (as PyTorch does), so a weighted mean stays on the scale of the loss.

    Parameters
    ----------
    logits : torch.Tensor
        Floating-point logits of shape ``(n, C)``.
    target : torch.Tensor
        Class indices in ``[0, C)``, shape ``(n,)``.
    weight : torch.Tensor, optional
        Floating-point class weights :math:`w`, shape ``(C,)``; ``None`` weighs every class 1.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the per-element losses.

    Returns
    -------
    torch.Tensor
        A scalar, or the ``(n,)`` per-example losses for ``reduction="none"``.
    """
    logits = check_tensor(logits, "logits", floating=True)
    target = check_tensor(target, "target")
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (n, C), got {tuple(logits.shape)}")
    if target.shape != logits.shape[:1]:
        raise ValueError(f"target must have shape ({logits.shape[0]},), got {tuple(target.shape)}")
    target = target.long()
    nll = torch.logsumexp(logits, dim=1) - logits.gather(1, target[:, None])[:, 0]
    if weight is None:
        return _reduce(nll, reduction)
    w = check_tensor(weight, "weight", floating=True).to(logits.dtype)[target]
    if reduction == "mean":
        return (w * nll).sum() / w.sum()
    return _reduce(w * nll, reduction)


def class_weights(target, n_classes: int | None = None) -> torch.Tensor:
    r"""Class weights from frequencies, :math:`w_k = \dfrac{n}{C\, n_k}` (scikit-learn's
    ``"balanced"``): a class that is 10× rarer weighs 10× more, and the weights average to 1
    over the examples. A class that never occurs gets weight 0.

    Here :math:`n` is the number of labels, :math:`n_k` the count of class :math:`k` and :math:`C`
    the number of classes that occur in ``target`` (not ``n_classes``).

    Parameters
    ----------
    target : torch.Tensor, array or list
        Non-negative integer class labels, any shape (flattened); must not be empty.
    n_classes : int, optional
        Minimum length of the result (>= 1), to give classes absent from ``target`` a weight 0;
        default ``max(target) + 1``. A smaller value does not shorten the result.

    Returns
    -------
    torch.Tensor
        float32 weights of shape ``(max(n_classes, max(target) + 1),)``.
    """
    target = torch.as_tensor(target).reshape(-1).long()
    if target.numel() == 0:
        raise ValueError("target must not be empty")
    n_classes = int(target.max()) + 1 if n_classes is None else check_positive_int(n_classes, "n_classes")
    counts = torch.bincount(target, minlength=n_classes).double()
    present = int((counts > 0).sum())
    weights = torch.where(counts > 0, target.numel() / (present * counts.clamp(min=1)), torch.zeros_like(counts))
    return weights.float()


def weighted_cross_entropy(target):
    """``cross_entropy`` with :func:`class_weights` computed from ``target`` (the training labels).

    Parameters
    ----------
    target : torch.Tensor, array or list
        The training labels, non-negative integers.

    Returns
    -------
    functools.partial
        ``cross_entropy(logits, target, *, reduction="mean")`` with ``weight`` fixed.
    """
    import functools

    return functools.partial(cross_entropy, weight=class_weights(target))


# --------------------------------------------------------------------------- the registry
def _cross_entropy_factory(train) -> Callable:
    return F.cross_entropy


def _weighted_cross_entropy_factory(train) -> Callable:
    r"""Cross-entropy with class weights :math:`w_k = n / (K\,n_k)` from the training labels (:func:`class_weights`)."""
    weight = class_weights(train[1])

    def weighted_cross_entropy(output, target):
        return F.cross_entropy(output, target, weight=weight.to(output.device))

    return weighted_cross_entropy


def _mse_factory(train) -> Callable:
    return lambda output, target: F.mse_loss(output, target.reshape(output.shape))


def _huber_factory(train) -> Callable:
    return lambda output, target: F.huber_loss(output, target.reshape(output.shape))


#: The cost functions C by name, for :class:`dlcourse.strategy.Strategy`: name -> factory
#: ``(train split) -> loss_fn(output, target)`` (a factory, because weighted losses need the
#: training labels). The losses are ``torch.nn.functional``'s, which this module's are tested against.
#: :meta hide-value:
LOSSES: dict[str, Callable] = {
    "cross-entropy": _cross_entropy_factory,
    "weighted cross-entropy": _weighted_cross_entropy_factory,
    "mse": _mse_factory,
    "huber": _huber_factory,
}
