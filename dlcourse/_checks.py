"""Argument checks shared by every module.

Each check raises a ``TypeError`` or ``ValueError`` whose message starts with the
argument's name, so that a learner sees at once *which* argument was wrong and why.
"""

from __future__ import annotations

import math
import numbers

import torch

__all__ = [
    "check_tensor",
    "check_bool",
    "check_number",
    "check_nonnegative",
    "check_positive",
    "check_probability",
    "check_positive_int",
    "check_dim",
    "check_choice",
]


def check_tensor(value, name: str, *, floating: bool = False) -> torch.Tensor:
    """Return ``value`` if it is a tensor, else raise ``TypeError`` naming ``name``."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
    return value


def check_bool(value, name: str) -> bool:
    """Return ``value`` if it is a bool, else raise ``TypeError`` naming ``name``."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def check_number(value, name: str) -> float:
    """Return ``value`` as a float if it is a real, finite number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_nonnegative(value, name: str) -> float:
    """Return ``value`` if it is a finite number ``>= 0``."""
    value = check_number(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def check_positive(value, name: str) -> float:
    """Return ``value`` if it is a finite number ``> 0``."""
    value = check_number(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_probability(value, name: str, *, allow_one: bool = True) -> float:
    """Return ``value`` if it lies in [0, 1] (or [0, 1) with ``allow_one=False``)."""
    value = check_number(value, name)
    upper_ok = value <= 1 if allow_one else value < 1
    if value < 0 or not upper_ok:
        interval = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def check_positive_int(value, name: str) -> int:
    """Return ``value`` if it is an integer ``>= 1`` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def check_dim(x: torch.Tensor, dim, name: str = "dim") -> int:
    """Return ``dim`` normalised to ``[0, x.ndim)``; raise if it is out of range."""
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(dim).__name__}")
    ndim = max(x.ndim, 1)
    if not -ndim <= dim < ndim:
        raise ValueError(f"{name}={dim} is out of range for a tensor with {x.ndim} dimension(s)")
    return dim % ndim


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` if it is one of ``choices``; list them otherwise."""
    if value not in choices:
        options = ", ".join(repr(c) for c in sorted(choices))
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value
