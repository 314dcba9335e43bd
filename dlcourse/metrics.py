r"""Performance metrics P: what we *select* models by (the loss C is what we optimise).

Every function takes tensors, NumPy arrays or lists (``y_true`` first) and returns Python
floats or NumPy arrays; they are tested equal to ``sklearn.metrics``. Classification
metrics start from the confusion counts of a class :math:`k` — true positives
:math:`TP`, false positives :math:`FP`, false negatives :math:`FN`, true negatives :math:`TN`:

.. math::
   \text{precision} = \frac{TP}{TP + FP}, \quad
   \text{recall} = \text{TPR} = \frac{TP}{TP + FN}, \quad
   \text{FPR} = \frac{FP}{FP + TN}, \quad
   F_1 = \frac{2\,TP}{2\,TP + FP + FN}.

A ratio whose denominator is 0 is reported as ``zero_division`` (0 by default, as
scikit-learn does after its warning).

Examples
--------
>>> f1_score([0, 1, 1, 0, 1], [0, 1, 0, 0, 1])
0.8
>>> roc_auc_score([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9])   # a tie counts one half
0.875
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from ._checks import check_choice, check_number

__all__ = [
    "AVERAGES",
    "as_array",
    "accuracy_score",
    "confusion_matrix",
    "precision_recall_f1",
    "precision_score",
    "recall_score",
    "f1_score",
    "roc_curve",
    "roc_auc_score",
    "precision_recall_curve",
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
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
    "METRICS",
]

AVERAGES = ("binary", "macro", "weighted")


# --------------------------------------------------------------------------- input handling
def as_array(values, name: str) -> np.ndarray:
    """``values`` (tensor, array or list) as a 1-D NumPy array; empty input raises ``ValueError``."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    try:
        arr = np.asarray(values)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be a tensor, array or list, got {type(values).__name__}") from exc
    if arr.dtype == object:
        raise TypeError(f"{name} must hold numbers, got {type(values).__name__} of objects")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (or (n, 1)), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def _pair(y_true, y_other, other_name: str) -> tuple[np.ndarray, np.ndarray]:
    t, o = as_array(y_true, "y_true"), as_array(y_other, other_name)
    if len(t) != len(o):
        raise ValueError(f"{other_name} must have the same length as y_true, got {len(o)} and {len(t)}")
    return t, o


def _binary_truth(y_true: np.ndarray, pos_label) -> np.ndarray:
    labels = np.unique(y_true)
    if len(labels) > 2:
        raise ValueError(f"y_true must hold two classes for a binary metric, got {len(labels)}: {labels[:5]}")
    return y_true == pos_label


# --------------------------------------------------------------------------- classification
def accuracy_score(y_true, y_pred) -> float:
    r"""Share of correct predictions, :math:`\frac{1}{n}\sum_i [\hat y_i = y_i]`."""
    t, p = _pair(y_true, y_pred, "y_pred")
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    r"""Counts :math:`C_{jk}` = number of examples of true class :math:`j` predicted as :math:`k`.

    Rows are true classes, columns predictions, both in the order of ``labels`` (default:
    the sorted union of the labels seen in ``y_true`` and ``y_pred``).
    """
    t, p = _pair(y_true, y_pred, "y_pred")
    labels = np.unique(np.concatenate([t, p])) if labels is None else as_array(labels, "labels")
    index = {v: i for i, v in enumerate(labels.tolist())}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for a, b in zip(t.tolist(), p.tolist()):
        if a in index and b in index:
            matrix[index[a], index[b]] += 1
    return matrix


def _ratio(num: np.ndarray, den: np.ndarray, zero_division: float) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    out = np.full(num.shape, float(zero_division))
    np.divide(num, den, out=out, where=den != 0)
    return out


def _average(per_class: np.ndarray, support: np.ndarray, average: str) -> float:
    if average == "macro":
        return float(per_class.mean())
    total = support.sum()
    return float((per_class * support).sum() / total) if total else 0.0


def precision_recall_f1(
    y_true, y_pred, *, average: str = "binary", pos_label=1, zero_division: float = 0.0
) -> tuple[float, float, float]:
    r"""Precision, recall and :math:`F_1` (formulas in the module docstring), averaged.

    ``average="binary"``: the scores of class ``pos_label`` only. ``"macro"``: the plain mean
    over the classes seen in ``y_true`` or ``y_pred`` (every class counts the same, however
    rare). ``"weighted"``: the mean weighted by each class's support (its count in ``y_true``).
    """
    t, p = _pair(y_true, y_pred, "y_pred")
    average = check_choice(average, "average", AVERAGES)
    zero_division = check_number(zero_division, "zero_division")
    if average == "binary":
        _binary_truth(np.concatenate([t, p]), pos_label)  # validates: at most two classes
        labels = [pos_label]
    else:
        labels = np.unique(np.concatenate([t, p])).tolist()
    tp = np.array([np.sum((t == k) & (p == k)) for k in labels])
    fp = np.array([np.sum((t != k) & (p == k)) for k in labels])
    fn = np.array([np.sum((t == k) & (p != k)) for k in labels])
    precision = _ratio(tp, tp + fp, zero_division)
    recall = _ratio(tp, tp + fn, zero_division)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn, zero_division)
    if average == "binary":
        return float(precision[0]), float(recall[0]), float(f1[0])
    support = tp + fn
    return tuple(_average(s, support, average) for s in (precision, recall, f1))


def precision_score(y_true, y_pred, **kwargs) -> float:
    r""":math:`TP / (TP + FP)`: of the examples called positive, the share that are. See :func:`precision_recall_f1`."""
    return precision_recall_f1(y_true, y_pred, **kwargs)[0]


def recall_score(y_true, y_pred, **kwargs) -> float:
    r""":math:`TP / (TP + FN)` (the true-positive rate): of the positives, the share found."""
    return precision_recall_f1(y_true, y_pred, **kwargs)[1]


def f1_score(y_true, y_pred, **kwargs) -> float:
    r""":math:`F_1 = 2PR/(P+R) = 2TP/(2TP+FP+FN)`, the harmonic mean of precision and recall."""
    return precision_recall_f1(y_true, y_pred, **kwargs)[2]


# --------------------------------------------------------------------------- ranking curves
def _binary_curve(y_true, y_score, pos_label):
    """Cumulative FP and TP counts at each distinct score, from the highest score down."""
    t, s = _pair(y_true, y_score, "y_score")
    truth = _binary_truth(t, pos_label).astype(np.float64)
    s = s.astype(np.float64)
    order = np.argsort(-s, kind="mergesort")
    s, truth = s[order], truth[order]
    last_of_tie = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # a tie moves all its examples at once
    tps = np.cumsum(truth)[last_of_tie]
    fps = 1 + last_of_tie - tps
    return fps, tps, s[last_of_tie]


def roc_curve(y_true, y_score, *, pos_label=1, drop_intermediate: bool = True):
    r"""ROC curve: false-positive rate and true-positive rate as the threshold sweeps the scores.

    An example is called positive when its score is :math:`\ge` the threshold. Thresholds are
    the distinct scores in decreasing order, preceded by :math:`+\infty` (nothing called
    positive, the point (0, 0)). Tied scores cross the threshold together, so a tie is one
    diagonal step. ``drop_intermediate`` removes points on straight segments (as scikit-learn
    does). Returns ``fpr, tpr, thresholds``.
    """
    fps, tps, thresholds = _binary_curve(y_true, y_score, pos_label)
    if drop_intermediate and len(fps) > 2:
        keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds]
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return fpr, tpr, thresholds


def roc_auc_score(y_true, y_score, *, pos_label=1) -> float:
    r"""Area under the ROC curve (trapezoidal rule), which equals

    .. math:: \text{AUC} = P(s^+ > s^-) + \tfrac12 P(s^+ = s^-),

    the probability that a random positive scores above a random negative, a tie counting one
    half. Undefined (``ValueError``) when ``y_true`` holds a single class.
    """
    t = as_array(y_true, "y_true")
    if len(np.unique(t)) != 2:
        raise ValueError(f"y_true must contain both classes for ROC AUC; it holds only {np.unique(t).tolist()}")
    fpr, tpr, _ = roc_curve(t, y_score, pos_label=pos_label, drop_intermediate=False)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))  # trapezoidal rule


def precision_recall_curve(y_true, y_score, *, pos_label=1):
    r"""Precision and recall for every threshold (the distinct scores), as in scikit-learn.

    Returned in order of *increasing* threshold, with a final point (precision 1, recall 0)
    that has no threshold. Returns ``precision, recall, thresholds``.
    """
    fps, tps, thresholds = _binary_curve(y_true, y_score, pos_label)
    precision = _ratio(tps, tps + fps, 0.0)
    recall = tps / tps[-1] if tps[-1] > 0 else np.ones_like(tps)
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


# --------------------------------------------------------------------------- regression
def _regression_pair(y_true, y_pred):
    t, p = _pair(y_true, y_pred, "y_pred")
    return t.astype(np.float64), p.astype(np.float64)


def mean_squared_error(y_true, y_pred) -> float:
    r""":math:`\text{MSE} = \frac1n\sum_i (y_i - \hat y_i)^2`."""
    t, p = _regression_pair(y_true, y_pred)
    return float(np.mean((t - p) ** 2))


def root_mean_squared_error(y_true, y_pred) -> float:
    r""":math:`\text{RMSE} = \sqrt{\text{MSE}}`, in the units of the target; dominated by the largest errors."""
    return math.sqrt(mean_squared_error(y_true, y_pred))


def mean_absolute_error(y_true, y_pred) -> float:
    r""":math:`\text{MAE} = \frac1n\sum_i |y_i - \hat y_i|`; every error counts in proportion to its size."""
    t, p = _regression_pair(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))


# --------------------------------------------------------------------------- adapters for fit()
def predictions(output: torch.Tensor) -> torch.Tensor:
    """Class predictions from a model's output: ``argmax`` over classes, or ``logit > 0`` for one logit."""
    if output.ndim == 1 or output.shape[-1] == 1:
        return (output.reshape(-1) > 0).long()
    return output.argmax(dim=-1)


def positive_scores(output: torch.Tensor) -> torch.Tensor:
    """Score of the positive class: the logit itself, or logit 1 minus logit 0 (a monotone
    function of the softmax probability of class 1) for two-logit outputs."""
    if output.ndim == 1 or output.shape[-1] == 1:
        return output.reshape(-1)
    return output[:, 1] - output[:, 0]


def f1_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """Binary :math:`F_1` of a model's output, usable as ``fit(..., metric=f1_metric)``."""
    return f1_score(target.reshape(-1), predictions(output))


def macro_f1_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """Macro-averaged :math:`F_1` of a model's output, for ``fit(..., metric=...)``."""
    return f1_score(target.reshape(-1), predictions(output), average="macro")


def auc_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """ROC AUC of a binary model's output (NaN when the batch holds a single class)."""
    target = target.reshape(-1)
    if len(torch.unique(target)) < 2:
        return float("nan")
    return roc_auc_score(target, positive_scores(output))


def mae_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """MAE of a regression model's output, for ``fit(..., metric=mae_metric)``."""
    return mean_absolute_error(target.reshape(-1), output.reshape(-1))


def rmse_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """RMSE of a regression model's output, for ``fit(..., metric=rmse_metric)``."""
    return root_mean_squared_error(target.reshape(-1), output.reshape(-1))


def accuracy_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """:func:`accuracy_score` of a model's output (:func:`predictions`), for ``fit(..., metric=...)``.

    Soft targets (one probability row per example, as Mixup and CutMix make) count their most
    probable class as the label.

    >>> accuracy_metric(torch.tensor([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), torch.tensor([0, 1, 1]))
    0.6666666666666666
    """
    if target.is_floating_point() and target.ndim == output.ndim and output.shape[-1] > 1:
        target = target.argmax(dim=-1)
    return accuracy_score(target.reshape(-1), predictions(output))


def mse_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    """MSE of a regression model's output, for ``fit(..., metric=mse_metric)``."""
    return mean_squared_error(target.reshape(-1), output.reshape(-1))


def f1_minority_metric(output: torch.Tensor, target: torch.Tensor) -> float:
    r""":math:`F_1` of the rarest class present in ``target`` (:func:`f1_score` with that class as
    ``pos_label``, 0 when undefined), for ``fit(..., metric=...)``: the score that an imbalanced
    task selects models by, since accuracy rewards ignoring the rare class."""
    y = target.reshape(-1).long().cpu().numpy()
    counts = np.bincount(y)
    minority = int(np.argmin(np.where(counts > 0, counts, np.iinfo(np.int64).max)))
    return f1_score(y, predictions(output).cpu().numpy(), pos_label=minority, zero_division=0.0)


#: The metrics by name, for :func:`dlcourse.training.fit` and :class:`dlcourse.strategy.Strategy`:
#: name -> ``(metric(output, target) -> float, greater_is_better)``. ``"roc auc"`` is
#: :func:`auc_metric`: NaN, not an error, on a batch that holds one class (a training mini-batch
#: may), so its running mean in ``fit`` is NaN then; a search compares the AUC of a whole split.
#: :meta hide-value:
METRICS: dict[str, tuple[Callable[[torch.Tensor, torch.Tensor], float], bool]] = {
    "accuracy": (accuracy_metric, True),
    "f1 (minority class)": (f1_minority_metric, True),
    "roc auc": (auc_metric, True),
    "rmse": (rmse_metric, False),
    "mae": (mae_metric, False),
    "mse": (mse_metric, False),
}
