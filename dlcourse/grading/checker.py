"""The labs' checks: :class:`Checker`, which prints one line per check and raises :class:`CheckFailed` once at
the end, its cases (:class:`Case`), and the one-call checks :func:`check_function` and :func:`check_close`."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable

import torch

from .compare import _mismatch, describe
from .integrity import _VERIFY

__all__ = [
    "PASS",
    "FAIL",
    "NOT_IMPLEMENTED",
    "CheckFailed",
    "Case",
    "Checker",
    "check_function",
    "check_close",
]

PASS = "✔"
FAIL = "✘"


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


@dataclass
class Case:
    """One call to check: positional ``args``, keyword ``kwargs``, and an optional ``label``.

    Parameters
    ----------
    args : tuple, default ()
        The positional arguments (tensors among them are cloned for the student's function).
    kwargs : dict, optional
        The keyword arguments; empty by default.
    label : str, optional
        Text shown between the parentheses of the check line instead of the described arguments.
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str | None = None

    def call_text(self, name: str) -> str:
        """The call as a check line shows it: ``name(label)``, or ``name(...)`` with the arguments described.

        Parameters
        ----------
        name : str
            The function's name.

        Returns
        -------
        str
            The call's text, the arguments shown by :func:`describe`.
        """
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


class Checker:
    """Collects check lines, prints each as it happens, and raises once at the end.

    Use as a context manager::

        with Checker("sigmoid") as check:
            check.close(sigmoid(x), expected, "sigmoid(x)")

    Parameters
    ----------
    title : str, optional
        Printed as ``Checking <title>:`` when the ``with`` block starts; ``None`` prints nothing.
    """

    def __init__(self, title: str | None = None):
        self.title = title
        self.failures: list[str] = []
        self.passed = 0

    def record(self, ok: bool, text: str) -> bool:
        """Print one check line, ``✔ text`` or ``✘ text``, and count it as passed or failed.

        Parameters
        ----------
        ok : bool
            Whether the check passed.
        text : str
            The line's text.

        Returns
        -------
        bool
            ``ok``.
        """
        print(f"{PASS if ok else FAIL} {text}")
        if ok:
            self.passed += 1
        else:
            self.failures.append(text)
        return ok

    def close(self, actual, expected, what: str, *, atol: float = 1e-6, rtol: float = 1e-5) -> bool:
        """Check that ``actual`` equals ``expected`` (tensors: same type, shape, dtype; values within tolerance).

        Parameters
        ----------
        actual : object
            The student's value.
        expected : object
            The reference value: a tensor (NaN matches NaN), a number (a one-element tensor is accepted for
            it), or a bool, ``None``, text, list, tuple or dict compared element by element (text answers
            are not printed in the failure line).
        what : str
            What is checked, the start of the check line.
        atol : float, default 1e-6
            Absolute tolerance for floating-point values.
        rtol : float, default 1e-5
            Relative tolerance for floating-point values.

        Returns
        -------
        bool
            Whether the check passed.
        """
        reason = _mismatch(actual, expected, atol, rtol)
        return self.record(reason is None, f"{what} is correct" if reason is None else f"{what}: {reason}")

    def true(self, condition: bool, what: str, hint: str = "") -> bool:
        """Check a condition; ``hint`` is shown when it fails.

        Parameters
        ----------
        condition : bool
            The condition (any value; its truth is taken).
        what : str
            The check line's text.
        hint : str, default ""
            Appended to the line (``what: hint``) when the condition is false.

        Returns
        -------
        bool
            Whether the check passed.
        """
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
        """Call ``student_fn`` and ``reference_fn`` on each case and compare the results.

        Parameters
        ----------
        student_fn : callable
            The student's function; it gets clones of the positional tensor arguments. An exception it raises
            becomes a failed line.
        reference_fn : callable
            The reference function.
        cases : iterable
            The cases: each a single argument, a tuple of positional arguments, or a :class:`Case`.
        name : str, optional
            The name in the check lines; ``None`` uses ``student_fn.__name__``.
        atol : float, default 1e-6
            Absolute tolerance for floating-point results.
        rtol : float, default 1e-5
            Relative tolerance for floating-point results.

        Returns
        -------
        bool
            Whether every case matched.
        """
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

    Parameters
    ----------
    student_fn : callable
        The student's function.
    reference_fn : callable
        The reference function.
    cases : iterable
        The cases.
    name : str, optional
        The name in the check lines; ``None`` uses ``student_fn.__name__``.
    atol : float, default 1e-6
        Absolute tolerance for floating-point results.
    rtol : float, default 1e-5
        Relative tolerance for floating-point results.

    Raises
    ------
    CheckFailed
        If a case differs, or a function the checks rely on was replaced (:func:`verify_integrity`).
    """
    checker = Checker()
    checker.function(student_fn, reference_fn, cases, name=name, atol=atol, rtol=rtol)
    if checker.failures or _VERIFY():
        checker.finish()


def check_close(actual, expected, what: str, *, atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """One comparison, printed and raised like :func:`check_function`.

    Parameters
    ----------
    actual : object
        The student's value.
    expected : object
        The reference value (see :meth:`Checker.close`).
    what : str
        What is checked, the start of the check line.
    atol : float, default 1e-6
        Absolute tolerance for floating-point values.
    rtol : float, default 1e-5
        Relative tolerance for floating-point values.

    Raises
    ------
    CheckFailed
        If the values differ, or a function the checks rely on was replaced.
    """
    checker = Checker()
    checker.close(actual, expected, what, atol=atol, rtol=rtol)
    if checker.failures or _VERIFY():
        checker.finish()
