"""Regression metrics: the mean squared error, its root and the mean absolute error."""

from __future__ import annotations

import math

import numpy as np

from .base import _pair

__all__ = [
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
]


def _regression_pair(y_true, y_pred):
    t, p = _pair(y_true, y_pred, "y_pred")
    return t.astype(np.float64), p.astype(np.float64)


def mean_squared_error(y_true, y_pred) -> float:
    r""":math:`\text{MSE} = \frac1n\sum_i (y_i - \hat y_i)^2`.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted values (tensor, array or list; ``(n, 1)`` is flattened), of equal length.

    Returns
    -------
    float
        The mean squared error, >= 0.
    """
    t, p = _regression_pair(y_true, y_pred)
    return float(np.mean((t - p) ** 2))


def root_mean_squared_error(y_true, y_pred) -> float:
    r""":math:`\text{RMSE} = \sqrt{\text{MSE}}`, in the units of the target; dominated by the largest errors.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted values (tensor, array or list; ``(n, 1)`` is flattened), of equal length.

    Returns
    -------
    float
        The root mean squared error, >= 0.
    """
    return math.sqrt(mean_squared_error(y_true, y_pred))


def mean_absolute_error(y_true, y_pred) -> float:
    r""":math:`\text{MAE} = \frac1n\sum_i |y_i - \hat y_i|`; every error counts in proportion to its size.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted values (tensor, array or list; ``(n, 1)`` is flattened), of equal length.

    Returns
    -------
    float
        The mean absolute error, >= 0.
    """
    t, p = _regression_pair(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))
