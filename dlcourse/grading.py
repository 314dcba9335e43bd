"""Friendly checks for the labs' test cells.

Students run the labs in Colab, where nbgrader does not run: the visible test cells call
these checks, which print one line per check (what was called, what was expected, what
came back) and raise ``AssertionError`` at the end if any failed, so that nbgrader, when
it grades the same cell, gives no points for it.

Examples
--------
>>> import torch
>>> check_function(torch.relu, torch.relu, [torch.tensor([-1.0, 2.0])], name="relu")
✔ relu(tensor([-1., 2.])) matches the reference
"""

from __future__ import annotations

import builtins
import math
import numbers
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np
import torch

__all__ = [
    "PASS",
    "FAIL",
    "NOT_IMPLEMENTED",
    "CheckFailed",
    "describe",
    "Case",
    "Checker",
    "check_function",
    "check_close",
    "verify_integrity",
]

PASS = "✔"
FAIL = "✘"

# Captured when the lab's locked setup cell imports this module: the comparisons below use
# these references, so a submission that later replaces torch.isclose (say) cannot make a
# wrong answer compare equal. verify_integrity() reports any such replacement.
_isclose, _isnan, _isinf, _equal = torch.isclose, torch.isnan, torch.isinf, torch.equal
_math_isclose = math.isclose
_WATCHED_EXTERNAL = {
    "torch.isclose": (torch, "isclose"),
    "torch.isnan": (torch, "isnan"),
    "torch.isinf": (torch, "isinf"),
    "torch.equal": (torch, "equal"),
    "torch.allclose": (torch, "allclose"),
    "torch.Tensor.__eq__": (torch.Tensor, "__eq__"),
    "torch.Tensor.all": (torch.Tensor, "all"),
    "torch.Tensor.any": (torch.Tensor, "any"),
    "math.isclose": (math, "isclose"),
    "builtins.print": (builtins, "print"),
    "builtins.isinstance": (builtins, "isinstance"),
    "builtins.type": (builtins, "type"),
    "builtins.all": (builtins, "all"),
    "builtins.bool": (builtins, "bool"),
    "builtins.AssertionError": (builtins, "AssertionError"),
}


#: What a check says of an answer that still raises the release's ``NotImplementedError``.
NOT_IMPLEMENTED = "not implemented yet (replace `raise NotImplementedError()`)"


class CheckFailed(AssertionError):
    """Raised after a group of checks when at least one failed; the message lists them.

    In a notebook it is shown as that message alone: the lines above it already say which checks
    failed and why, and a traceback through the checking code would only hide them. The cell
    still fails (nbgrader scores it 0), exactly as with the traceback.
    """

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead of a traceback
        return [f"{type(self).__name__}: {self}"]


def describe(value: Any, max_items: int = 6) -> str:
    """A short, deterministic description of an argument or result for a check line."""
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


@dataclass
class Case:
    """One call to check: positional ``args``, keyword ``kwargs``, and an optional ``label``."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str | None = None

    def call_text(self, name: str) -> str:
        if self.label:
            return f"{name}({self.label})"
        parts = [describe(a) for a in self.args] + [f"{k}={describe(v)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


def _as_case(case) -> Case:
    if isinstance(case, Case):
        return case
    if isinstance(case, tuple):
        return Case(args=case)
    return Case(args=(case,))


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


class Checker:
    """Collects check lines, prints each as it happens, and raises once at the end.

    Use as a context manager::

        with Checker("sigmoid") as check:
            check.close(sigmoid(x), expected, "sigmoid(x)")
    """

    def __init__(self, title: str | None = None):
        self.title = title
        self.failures: list[str] = []
        self.passed = 0

    def record(self, ok: bool, text: str) -> bool:
        print(f"{PASS if ok else FAIL} {text}")
        if ok:
            self.passed += 1
        else:
            self.failures.append(text)
        return ok

    def close(self, actual, expected, what: str, *, atol: float = 1e-6, rtol: float = 1e-5) -> bool:
        """Check that ``actual`` equals ``expected`` (tensors: same type, shape, dtype; values within tolerance)."""
        reason = _mismatch(actual, expected, atol, rtol)
        return self.record(reason is None, f"{what} is correct" if reason is None else f"{what}: {reason}")

    def true(self, condition: bool, what: str, hint: str = "") -> bool:
        """Check a condition; ``hint`` is shown when it fails."""
        return self.record(bool(condition), what if condition or not hint else f"{what}: {hint}")

    def function(
        self,
        student_fn: Callable,
        reference_fn: Callable,
        cases: Iterable,
        *,
        name: str | None = None,
        atol: float = 1e-6,
        rtol: float = 1e-5,
    ) -> bool:
        """Call ``student_fn`` and ``reference_fn`` on each case and compare the results."""
        name = name or getattr(student_fn, "__name__", "function")
        all_ok = True
        for case in map(_as_case, cases):
            call = case.call_text(name)
            expected = reference_fn(*case.args, **case.kwargs)
            try:
                actual = student_fn(*_cloned(case.args), **case.kwargs)
            except NotImplementedError:
                all_ok &= self.record(False, f"{call}: {NOT_IMPLEMENTED}")
                continue
            except Exception as exc:  # a student's bug must become a readable line, not a traceback
                all_ok &= self.record(False, f"{call} raised {type(exc).__name__}: {exc}")
                continue
            reason = _mismatch(actual, expected, atol, rtol)
            all_ok &= self.record(
                reason is None, f"{call} matches the reference" if reason is None else f"{call}: {reason}"
            )
        return all_ok

    def __enter__(self) -> "Checker":
        if self.title:
            print(f"Checking {self.title}:")
        # Warnings that the student's code raises during the checks are reported as notes on stdout:
        # on stderr they would make nbgrader give the whole cell 0 points, correct answer or not.
        self._warnings = warnings.catch_warnings(record=True)
        self._caught = self._warnings.__enter__()
        warnings.simplefilter("always")
        self._check_integrity()
        return self

    def _check_integrity(self) -> None:
        for name in _VERIFY():
            self.record(
                False,
                f"integrity: {name} was replaced after the lab started; "
                "restart the kernel and run all cells without modifying the checks",
            )

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._warnings.__exit__(None, None, None)
        for caught in self._caught:
            print(
                f"note: your code warned during the checks ({caught.category.__name__}: {caught.message}); "
                "that costs no points"
            )
        if exc_type is None:
            self.finish()
        elif issubclass(exc_type, Exception) and not issubclass(exc_type, CheckFailed):
            # An error raised while the checks ran the student's code (an unanswered part raises
            # NotImplementedError): one readable failure line, then the usual CheckFailed.
            self.record(False, _stopped_by(exc, tb))
            self.finish()
        return False

    def finish(self) -> None:
        """Raise :class:`CheckFailed` if any check failed; print a summary line otherwise."""
        self._check_integrity()
        if self.failures:
            raise CheckFailed(f"{len(self.failures)} check(s) failed:\n- " + "\n- ".join(self.failures))
        print(f"All {self.passed} check(s) passed.")


def _stopped_by(exc: BaseException, tb) -> str:
    """``softmax is not implemented yet …`` or ``the checks stopped: ValueError: … (in softmax)``.

    A method is named with its class (``InvertedDropout.__init__``), where Python records it (3.11+).
    """
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append((code.co_name, getattr(code, "co_qualname", code.co_name).rsplit("<locals>.", 1)[-1]))
        tb = tb.tb_next
    inner = next((qualname for name, qualname in reversed(frames) if name not in ("<module>", "__exit__")), None)
    if isinstance(exc, NotImplementedError):
        return f"{inner or 'a function'} is {NOT_IMPLEMENTED}"
    return f"the checks stopped: {type(exc).__name__}: {exc}" + (f" (in {inner})" if inner else "")


def _cloned(args: tuple) -> tuple:
    # A student function that modifies its input in place must not change the reference's view.
    return tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)


def check_function(
    student_fn: Callable,
    reference_fn: Callable,
    cases: Iterable,
    *,
    name: str | None = None,
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> None:
    """Compare ``student_fn`` with ``reference_fn`` on every case; raise :class:`CheckFailed` if any differ.

    A case is a single argument, a tuple of positional arguments, or a :class:`Case`.
    """
    checker = Checker()
    checker.function(student_fn, reference_fn, cases, name=name, atol=atol, rtol=rtol)
    if checker.failures or _VERIFY():
        checker.finish()


def check_close(actual, expected, what: str, *, atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """One comparison, printed and raised like :func:`check_function`."""
    checker = Checker()
    checker.close(actual, expected, what, atol=atol, rtol=rtol)
    if checker.failures or _VERIFY():
        checker.finish()


def _own_functions() -> dict[str, object]:
    module = sys.modules[__name__]
    names = {
        f"grading.{n}": (module, n)
        for n, v in vars(module).items()
        if callable(v) and getattr(v, "__module__", None) == __name__ and not n.startswith("__")
    }
    names.update(
        {
            f"grading.Checker.{n}": (Checker, n)
            for n, v in vars(Checker).items()
            if callable(v) and not n.startswith("__")
        }
    )
    return names


_WATCHED = {**_WATCHED_EXTERNAL, **_own_functions()}
_SNAPSHOT = {name: getattr(owner, attr) for name, (owner, attr) in _WATCHED.items()}


def verify_integrity() -> list[str]:
    """Names of the functions the checks rely on that are no longer the ones present at import.

    Covers every function and ``Checker`` method of this module and the torch, math and
    builtin functions the comparisons use. An empty list means nothing was replaced. This
    stops casual tampering inside the student's kernel; a determined student can still
    defeat any in-process check, which is why submissions are also scanned statically
    (:mod:`dlcourse_grade.integrity`) and graded in isolation (``dlcourse-grade``).
    """
    return [name for name, (owner, attr) in _WATCHED.items() if getattr(owner, attr, None) is not _SNAPSHOT[name]]


_VERIFY = verify_integrity  # the checker calls this reference, not the module attribute
