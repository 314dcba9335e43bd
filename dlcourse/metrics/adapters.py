"""The metrics as :func:`dlcourse.training.fit` calls them, ``metric(output, target) -> float`` on a
model's raw output, and the two readings of that output they share: class predictions and
positive-class scores."""

from __future__ import annotations

import numpy as np
import torch

from .classification import accuracy_score, f1_score
from .curves import roc_auc_score
from .regression import mean_absolute_error, mean_squared_error, root_mean_squared_error

__all__ = [
    "predictions",
    "positive_scores",
    "f1_metric",
    "macro_f1_metric",
    "auc_metric",
    "mae_metric",
    "rmse_metric",
    "accuracy_metric",
    "mse_metric",
    "f1_minority_metric",
]


def predictions(output: torch.Tensor) -> torch.Tensor:
    """Class predictions from a model's output: ``argmax`` over classes, or ``logit > 0`` for one logit.

    Parameters
    ----------
    output : torch.Tensor
        Logits ``(N, C)`` (any shape whose last dimension is the class), or one logit per example,
        ``(N,)`` or ``(N, 1)``.

    Returns
    -------
    torch.Tensor
        int64 class labels: ``argmax`` over the last dimension, or 0/1 of shape ``(N,)`` for one logit.
    """
    if output.ndim == 1 or output.shape[-1] == 1:
        return (output.reshape(-1) > 0).long()
    return output.argmax(dim=-1)


def positive_scores(output: torch.Tensor) -> torch.Tensor:
    """Score of the positive class: the logit itself, or logit 1 minus logit 0 (a monotone
    function of the softmax probability of class 1) for two-logit outputs.

    Parameters
    ----------
    output : torch.Tensor
        One logit per example, ``(N,)`` or ``(N, 1)``, or two logits ``(N, 2)`` (with more columns,
        only columns 0 and 1 are used).

    Returns
    -------
    torch.Tensor
        Scores of shape ``(N,)``.
    """
    if output.ndim == 1 or output.shape[-1] == 1:
        return output.reshape(-1)
    return output[:, 1] - output[:, 0]


def f1_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """Binary :math:`F_1` of a model's output, usable as ``fit(..., metric=f1_metric)``.

    Parameters
    ----------
    output : torch.Tensor
        Logits ``(N, 2)``, or one logit per example ``(N,)`` / ``(N, 1)``.
    target : torch.Tensor
        Binary labels (0/1), ``N`` values in any shape (flattened). Class 1 is the positive class;
        labels and predictions together holding more than two classes raise ``ValueError``.

    Returns
    -------
    float
        The :math:`F_1` score of class 1 (0 when undefined).
    """
    return f1_score(target.reshape(-1), predictions(output))


def macro_f1_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """Macro-averaged :math:`F_1` of a model's output, for ``fit(..., metric=...)``.

    Parameters
    ----------
    output : torch.Tensor
        Logits ``(N, C)``, or one logit per example ``(N,)`` / ``(N, 1)`` (see :func:`predictions`).
    target : torch.Tensor
        Integer class labels, ``N`` values in any shape (flattened).

    Returns
    -------
    float
        The mean of the per-class :math:`F_1` scores.
    """
    return f1_score(target.reshape(-1), predictions(output), average="macro")


def auc_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """ROC AUC of a binary model's output (NaN when the batch holds a single class).

    Parameters
    ----------
    output : torch.Tensor
        Logits ``(N, 2)``, or one logit per example ``(N,)`` / ``(N, 1)``. Scored by :func:`positive_scores`.
    target : torch.Tensor
        Binary labels (0/1), ``N`` values in any shape (flattened). Class 1 is the positive class.

    Returns
    -------
    float
        The AUC in [0, 1], or NaN.
    """
    target = target.reshape(-1)
    if len(torch.unique(target)) < 2:
        return float("nan")
    return roc_auc_score(target, positive_scores(output))


def mae_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """MAE of a regression model's output, for ``fit(..., metric=mae_metric)``.

    Parameters
    ----------
    output : torch.Tensor
        Predictions, ``N`` values in any shape (flattened).
    target : torch.Tensor
        Targets, ``N`` values in any shape (flattened).

    Returns
    -------
    float
        :func:`mean_absolute_error` of the two.
    """
    return mean_absolute_error(target.reshape(-1), output.reshape(-1))


def rmse_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """RMSE of a regression model's output, for ``fit(..., metric=rmse_metric)``.

    Parameters
    ----------
    output : torch.Tensor
        Predictions, ``N`` values in any shape (flattened).
    target : torch.Tensor
        Targets, ``N`` values in any shape (flattened).

    Returns
    -------
    float
        :func:`root_mean_squared_error` of the two.
    """
    return root_mean_squared_error(target.reshape(-1), output.reshape(-1))


def accuracy_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """:func:`accuracy_score` of a model's output (:func:`predictions`), for ``fit(..., metric=...)``.

    Soft targets (one probability row per example, as Mixup and CutMix make) count their most
    probable class as the label.

    Parameters
    ----------
    output : torch.Tensor
        Logits ``(N, C)``, or one logit per example ``(N,)`` / ``(N, 1)`` (see :func:`predictions`).
    target : torch.Tensor
        Integer class labels, ``N`` values in any shape (flattened), or soft targets: a float tensor
        of the same shape as ``output``.

    Returns
    -------
    float
        Accuracy in [0, 1].

    Examples
    --------
    >>> accuracy_metric(torch.tensor([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), torch.tensor([0, 1, 1]))
    0.6666666666666666
    """
    if target.is_floating_point() and target.ndim == output.ndim and output.shape[-1] > 1:
        target = target.argmax(dim=-1)
    predicted, target = predictions(output), target.reshape(-1)
    if 0 < target.numel() == predicted.numel():
        # fit scores every mini-batch: count on the tensors, without accuracy_score's round trip
        # through NumPy (the same float: a count divided by n)
        return int((predicted == target.to(predicted.device)).sum()) / target.numel()
    return accuracy_score(target, predicted)


def mse_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """MSE of a regression model's output, for ``fit(..., metric=mse_metric)``.

    Parameters
    ----------
    output : torch.Tensor
        Predictions, ``N`` values in any shape (flattened).
    target : torch.Tensor
        Targets, ``N`` values in any shape (flattened).

    Returns
    -------
    float
        :func:`mean_squared_error` of the two.
    """
    return mean_squared_error(target.reshape(-1), output.reshape(-1))


def f1_minority_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    r""":math:`F_1` of the rarest class present in ``target`` (:func:`f1_score` with that class as
    ``pos_label``, 0 when undefined), for ``fit(..., metric=...)``: the score that an imbalanced
    task selects models by, since accuracy rewards ignoring the rare class.

    Parameters
    ----------
    output : torch.Tensor
        Logits ``(N, 2)``, or one logit per example ``(N,)`` / ``(N, 1)``.
    target : torch.Tensor
        Non-negative integer labels, ``N`` values in any shape (flattened). Binary tasks only: labels
        and predictions together holding more than two classes raise ``ValueError``.

    Returns
    -------
    float
        The :math:`F_1` score of the rarest class, in [0, 1].
    """
    y = target.reshape(-1).long().cpu().numpy()
    counts = np.bincount(y)
    minority = int(np.argmin(np.where(counts > 0, counts, np.iinfo(np.int64).max)))
    return f1_score(y, predictions(output).cpu().numpy(), pos_label=minority, zero_division=0.0)
