"""How a check compares the student's value with the expected one: tolerant for numbers, exact in type,
silent about categorical answers; and :func:`describe`, how a value is shown in a check line."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import torch

__all__ = ["describe"]

# Captured when the lab's locked setup cell imports the package: the comparisons below use
# these references, so a submission that later replaces torch.isclose (say) cannot make a
# wrong answer compare equal. verify_integrity() reports any such replacement.
_isclose, _isnan, _isinf, _equal = torch.isclose, torch.isnan, torch.isinf, torch.equal
_math_isclose = math.isclose


def describe(value: Any, max_items: int = 6) -> str:
    """A short, deterministic description of an argument or result for a check line.

    Parameters
    ----------
    value : object
        What to describe. A tensor of at most ``max_items`` elements is shown by its ``repr`` on one line, a
        larger one by its dtype, shape and (floating point) the range of its finite values and how many are
        not finite; a float with 6 significant digits; anything else by its ``repr``, cut to 60 characters.
    max_items : int, default 6
        The most elements of a tensor shown in full.

    Returns
    -------
    str
        The description, on one line.
    """
    if isinstance(value, torch.Tensor):
        if value.numel() <= max_items:
            return " ".join(repr(value.detach().cpu()).split())  # one line, single spaces
        shape = tuple(value.shape)
        if value.is_floating_point() and value.numel():
            finite = value[torch.isfinite(value)]
            span = f" in [{finite.min().item():.4g}, {finite.max().item():.4g}]" if finite.numel() else ""
            extra = "" if finite.numel() == value.numel() else f", {value.numel() - finite.numel()} non-finite"
            return f"tensor {str(value.dtype).replace('torch.', '')} {shape}{span}{extra}"
        return f"tensor {str(value.dtype).replace('torch.', '')} {shape}"
    if isinstance(value, float):
        return f"{value:.6g}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _mismatch(actual, expected, atol: float, rtol: float) -> str | None:
    """Why ``actual`` differs from ``expected`` (``None`` if it does not)."""
    if isinstance(expected, torch.Tensor):
        if type(actual) is not torch.Tensor:
            return f"expected a torch.Tensor, got {type(actual).__name__}"
        if actual.shape != expected.shape:
            return f"expected shape {tuple(expected.shape)}, got shape {tuple(actual.shape)}"
        if actual.dtype != expected.dtype:
            return f"expected dtype {expected.dtype}, got {actual.dtype}"
        a, e = actual.detach().cpu(), expected.detach().cpu()
        if a.is_floating_point():
            bad_nan = _isnan(a) & ~_isnan(e)
            if bad_nan.any():
                return f"got NaN at {int(bad_nan.sum())} position(s) where {describe(e)} was expected"
            bad_inf = _isinf(a) & ~_isinf(e)
            if bad_inf.any():
                return f"got inf at {int(bad_inf.sum())} position(s) where finite values were expected"
            close = _isclose(a, e, atol=atol, rtol=rtol, equal_nan=True)
        else:
            close = a == e
        if not close.all():
            i = int((~close).reshape(-1).nonzero()[0])
            return (
                f"{int((~close).sum())} of {a.numel()} values differ; first at flat index {i}: "
                f"expected {e.reshape(-1)[i].item():.6g}, got {a.reshape(-1)[i].item():.6g}"
            )
        return None
    if isinstance(expected, numbers.Real) and not isinstance(expected, bool):
        if isinstance(actual, torch.Tensor) and actual.numel() == 1:
            actual = actual.item()
        if isinstance(actual, bool) or not isinstance(actual, numbers.Real):
            return f"expected a number, got {type(actual).__name__}"
        if not _math_isclose(float(actual), float(expected), rel_tol=rtol, abs_tol=atol):
            return f"expected {describe(float(expected))}, got {describe(float(actual))}"
        return None
    if _same(actual, expected, atol, rtol):
        return None
    if not _categorical(expected):
        return f"expected {describe(expected)}, got {describe(actual)}"
    # A categorical answer (text): say what is wrong without printing the expected answer, which
    # would otherwise reach every student's feedback.
    if type(actual) is not type(expected):
        return f"expected a {type(expected).__name__}, got {type(actual).__name__}"
    if isinstance(expected, dict):
        if _keys(actual) != _keys(expected):
            return "the keys are not the ones given (do not add, remove or rename any)"
        wrong = sum(not _same(actual[k], v, atol, rtol) for k, v in expected.items())
        return f"{wrong} of {len(expected)} answers are not the expected ones"
    if isinstance(expected, (list, tuple)) and len(actual) == len(expected):
        wrong = sum(not _same(a, e, atol, rtol) for a, e in zip(actual, expected))
        return f"{wrong} of {len(expected)} answers are not the expected ones"
    return f"{describe(actual)} is not the expected answer"


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _categorical(value) -> bool:
    """Whether ``value`` holds text anywhere (a categorical answer, whose expected form is not printed)."""
    if isinstance(value, str):
        return True
    if isinstance(value, (list, tuple)):
        return any(_categorical(v) for v in value)
    if isinstance(value, dict):
        return any(_categorical(k) or _categorical(v) for k, v in value.items())
    return False


def _keys(mapping: dict) -> set:
    # (type, key) pairs: a key object of another type that claims to equal a str key does not match it
    return {(type(k), k) for k in mapping}


def _same(actual, expected, atol: float, rtol: float) -> bool:
    """``actual`` equals ``expected``, with the expected types all the way down.

    Numbers compare as numbers within tolerance (any real type: int, float, NumPy); booleans, text
    and ``None`` exactly; lists and tuples element by element; dicts key by key, in any order.
    Anything else must have exactly ``expected``'s type and compare equal by that type's ``==``:
    an object that claims to equal everything is not equal to anything here.
    """
    if type(actual) is torch.Tensor and actual.numel() == 1:
        actual = actual.item()  # a one-element tensor stands for its number or truth value
    if isinstance(expected, bool):
        return type(actual) in (bool, np.bool_) and bool(actual) is expected
    if expected is None:
        return actual is None
    if _is_number(expected):
        return _is_number(actual) and _math_isclose(float(actual), float(expected), rel_tol=rtol, abs_tol=atol)
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, (list, tuple)):
        return len(actual) == len(expected) and all(_same(a, e, atol, rtol) for a, e in zip(actual, expected))
    if isinstance(expected, dict):
        return _keys(actual) == _keys(expected) and all(_same(actual[k], v, atol, rtol) for k, v in expected.items())
    return bool(expected == actual)
