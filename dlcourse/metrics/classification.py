"""Classification metrics from predicted labels: accuracy, the confusion matrix, and precision, recall
and :math:`F_1`, for one class or averaged over the classes."""

from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_number
from .base import _binary_truth, _pair, as_array

__all__ = [
    "AVERAGES",
    "accuracy_score",
    "confusion_matrix",
    "precision_recall_f1",
    "precision_score",
    "recall_score",
    "f1_score",
]


AVERAGES = ("binary", "macro", "weighted")


def accuracy_score(y_true, y_pred) -> float:
    r"""Share of correct predictions, :math:`\frac{1}{n}\sum_i [\hat y_i = y_i]`.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels (tensor, array or list; ``(n, 1)`` is flattened), of equal length.

    Returns
    -------
    float
        Accuracy in [0, 1].
    """
    t, p = _pair(y_true, y_pred, "y_pred")
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    r"""Counts :math:`C_{jk}` = number of examples of true class :math:`j` predicted as :math:`k`.

    Rows are true classes, columns predictions, both in the order of ``labels`` (default:
    the sorted union of the labels seen in ``y_true`` and ``y_pred``).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels (tensor, array or list; ``(n, 1)`` is flattened), of equal length.
    labels : array-like, optional
        The classes, in the order of the rows and columns; examples whose true or predicted label
        is not among them are not counted. Default: the sorted labels seen in ``y_true`` or ``y_pred``.

    Returns
    -------
    numpy.ndarray
        int64 counts of shape ``(K, K)``, ``K = len(labels)``.
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

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels (tensor, array or list; ``(n, 1)`` is flattened), of equal length.
    average : {"binary", "macro", "weighted"}, default "binary"
        How the per-class scores are combined (see above). ``"binary"`` raises ``ValueError`` when
        ``y_true`` and ``y_pred`` together hold more than two classes.
    pos_label : int or other label, default 1
        The positive class for ``average="binary"`` (ignored otherwise).
    zero_division : float, default 0.0
        The value of a ratio whose denominator is 0; a finite real number.

    Returns
    -------
    tuple of float
        ``(precision, recall, f1)``.
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
    r""":math:`TP / (TP + FP)`: of the examples called positive, the share that are. See :func:`precision_recall_f1`.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels (tensor, array or list; ``(n, 1)`` is flattened), of equal length.
    **kwargs
        ``average``, ``pos_label`` and ``zero_division``, passed to :func:`precision_recall_f1`.

    Returns
    -------
    float
        The precision.
    """
    return precision_recall_f1(y_true, y_pred, **kwargs)[0]


def recall_score(y_true, y_pred, **kwargs) -> float:
    r""":math:`TP / (TP + FN)` (the true-positive rate): of the positives, the share found.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels (tensor, array or list; ``(n, 1)`` is flattened), of equal length.
    **kwargs
        ``average``, ``pos_label`` and ``zero_division``, passed to :func:`precision_recall_f1`.

    Returns
    -------
    float
        The recall.
    """
    return precision_recall_f1(y_true, y_pred, **kwargs)[1]


def f1_score(y_true, y_pred, **kwargs) -> float:
    r""":math:`F_1 = 2PR/(P+R) = 2TP/(2TP+FP+FN)`, the harmonic mean of precision and recall.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels (tensor, array or list; ``(n, 1)`` is flattened), of equal length.
    **kwargs
        ``average``, ``pos_label`` and ``zero_division``, passed to :func:`precision_recall_f1`.

    Returns
    -------
    float
        The :math:`F_1` score.
    """
    return precision_recall_f1(y_true, y_pred, **kwargs)[2]
