"""Ranking metrics from scores: the ROC curve and its area (ROC AUC), and the precision-recall curve, as
the decision threshold sweeps the scores."""

from __future__ import annotations

import numpy as np

from .base import _binary_truth, _pair, as_array
from .classification import _ratio

__all__ = [
    "roc_curve",
    "roc_auc_score",
    "precision_recall_curve",
]


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
    does).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels (tensor, array or list; ``(n, 1)`` is flattened), at most two classes.
    y_score : array-like of shape (n,)
        Scores, higher meaning more likely positive (probabilities or logits); same length as ``y_true``.
    pos_label : int or other label, default 1
        The positive class.
    drop_intermediate : bool, default True
        Drop the points that lie on a straight segment between their neighbours.

    Returns
    -------
    fpr, tpr, thresholds : numpy.ndarray
        Returns ``fpr, tpr, thresholds``: three arrays of equal length, the thresholds decreasing from
        ``inf``. ``fpr`` (``tpr``) is all NaN when ``y_true`` holds no negative (positive) example.
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

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels (tensor, array or list; ``(n, 1)`` is flattened), exactly two classes.
    y_score : array-like of shape (n,)
        Scores, higher meaning more likely positive (probabilities or logits); same length as ``y_true``.
    pos_label : int or other label, default 1
        The positive class.

    Returns
    -------
    float
        The AUC, in [0, 1].
    """
    t = as_array(y_true, "y_true")
    if len(np.unique(t)) != 2:
        raise ValueError(f"y_true must contain both classes for ROC AUC; it holds only {np.unique(t).tolist()}")
    fpr, tpr, _ = roc_curve(t, y_score, pos_label=pos_label, drop_intermediate=False)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))  # trapezoidal rule


def precision_recall_curve(y_true, y_score, *, pos_label=1):
    r"""Precision and recall for every threshold (the distinct scores), as in scikit-learn.

    Returned in order of *increasing* threshold, with a final point (precision 1, recall 0)
    that has no threshold.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels (tensor, array or list; ``(n, 1)`` is flattened), at most two classes.
    y_score : array-like of shape (n,)
        Scores, higher meaning more likely positive (probabilities or logits); same length as ``y_true``.
    pos_label : int or other label, default 1
        The positive class.

    Returns
    -------
    precision, recall : numpy.ndarray
        Returns ``precision, recall, thresholds``: ``precision`` and ``recall`` have one entry per
        threshold plus the final point (precision 1, recall 0).
    thresholds : numpy.ndarray
        The distinct scores, increasing.
    """
    fps, tps, thresholds = _binary_curve(y_true, y_score, pos_label)
    precision = _ratio(tps, tps + fps, 0.0)
    recall = tps / tps[-1] if tps[-1] > 0 else np.ones_like(tps)
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]
