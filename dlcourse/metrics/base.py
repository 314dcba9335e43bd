"""The input checks every metric shares: labels, predictions and scores (tensors, arrays or lists) as
1-D NumPy arrays, in pairs of equal length."""

from __future__ import annotations

import numpy as np
import torch

__all__ = [
    "as_array",
]


def as_array(values, name: str) -> np.ndarray:
    """``values`` (tensor, array or list) as a 1-D NumPy array; empty input raises ``ValueError``.

    Parameters
    ----------
    values : torch.Tensor, numpy.ndarray or list
        Numbers of shape ``(n,)`` or ``(n, 1)`` (a column is flattened); a tensor is detached and copied to the CPU.
    name : str
        The argument's name, used in error messages.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, ``n >= 1``.

    Raises
    ------
    TypeError
        When ``values`` does not hold numbers.
    ValueError
        When ``values`` is empty or not 1-D (or ``(n, 1)``).
    """
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
