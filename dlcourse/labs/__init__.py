"""The labs' visible checks, one module per lab, and the progress table at the end of every lab.

Each lab module (``dlcourse.labs.lab00`` … ``dlcourse.labs.lab08``) holds one function per
automatically checked part, ``part_a``, ``part_b``, …: the part's *visible* check, which takes the
student's objects as explicit arguments and prints one ``✔``/``✘`` line per check through
:class:`dlcourse.grading.Checker`. A lab's visible test cell is one call, e.g.
``lab01.part_a(relu, relu_grad, leaky_relu)``; it fails (and scores 0 when graded) exactly when
the check fails. The hidden test cells do not use this package: they compute what they expect
themselves.

Each module also lists its parts in order, ``PARTS`` (a tuple of :class:`Part`), and has a
``progress(namespace)`` function: the lab's last cell, ``lab01.progress(globals())``, runs every
part's visible check on its own (:func:`progress`) and prints one line per part: done, not yet or
failing, with the first message. It is never graded.

Given cells that run the student's functions (a table, a training run) use :func:`given_cell`, so
that an unanswered part stops them with one line saying which function is missing, not a traceback.
"""

from __future__ import annotations

import contextlib
import io
import random
import sys
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Iterator, Mapping

import numpy as np
import torch

from dlcourse.grading import FAIL, NOT_IMPLEMENTED, _stopped_by

__all__ = [
    "DONE",
    "FAILING",
    "NOT_YET",
    "NotAnsweredYet",
    "Part",
    "Row",
    "given_cell",
    "lab_progress",
    "progress",
    "status_of",
]

#: A part's state when every check passed.
DONE = "done"
#: A part's state when a name is missing, an answer is blank or a function is not written yet.
NOT_YET = "not yet"
#: A part's state when a check failed (its line says which).
FAILING = "failing"

#: The widest first message the table shows (longer ones end with "…").
MESSAGE_WIDTH = 72


@dataclass(frozen=True)
class Part:
    """One automatically checked part of a lab.

    Parameters
    ----------
    letter : str
        The part's letter, ``"A"``.
    title : str
        Its heading in the lab, ``"ReLU and leaky ReLU"``.
    check : callable
        The part's visible check, called with the notebook's objects named by ``answers`` and then
        ``given``, in that order.
    answers : tuple of str
        The names of what the student writes for this part (functions, classes, answer values).
    given : tuple of str, optional
        The names of objects made by the lab's given cells that the check needs (a data set, a
        trained network).
    """

    letter: str
    title: str
    check: Callable[..., None]
    answers: tuple[str, ...]
    given: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every notebook name the check takes, in the order of its arguments."""
        return self.answers + self.given


@dataclass(frozen=True)
class Row:
    """One line of the progress table: the part, its status (done, not yet, failing) and the first message.

    Parameters
    ----------
    letter : str
        The part's letter, ``"A"``.
    title : str
        The part's heading in the lab.
    status : str
        :data:`DONE`, :data:`NOT_YET` or :data:`FAILING`.
    message : str, default ""
        The first message: why the part is not yet done or is failing (empty when done).
    """

    letter: str
    title: str
    status: str
    message: str = ""


class NotAnsweredYet(Exception):
    """Raised by :func:`given_cell` when a given cell calls a function the student has not written yet.

    In a notebook it is shown as its message alone, like :class:`dlcourse.grading.CheckFailed`.
    """

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead of a traceback
        return [f"{type(self).__name__}: {self}"]


@contextlib.contextmanager
def given_cell() -> Iterator[None]:
    """Run a given cell that calls the student's functions; an unanswered one stops it with one line.

    Only ``NotImplementedError`` (what an unanswered part raises) is turned into
    :class:`NotAnsweredYet`, whose message names the function; any other error is the student's
    bug and keeps its traceback.

    Yields
    ------
    None
        Control passes to the body of the ``with`` block.

    Raises
    ------
    NotAnsweredYet
        If the block raises ``NotImplementedError``.

    Examples
    --------
    >>> def he_normal_(w):
    ...     raise NotImplementedError()
    >>> with given_cell():
    ...     he_normal_(None)
    Traceback (most recent call last):
    ...
    dlcourse.labs.NotAnsweredYet: this cell runs your code: he_normal_ is not implemented yet (replace \
`raise NotImplementedError()`)
    """
    try:
        yield
    except NotImplementedError as exc:
        raise NotAnsweredYet(f"this cell runs your code: {_stopped_by(exc, exc.__traceback__)}") from None


def _placeholder(value: Any) -> bool:
    """Whether ``value`` is still the release's blank answer: ``None``, or a dict whose values are all ``None``."""
    if value is None:
        return True
    return isinstance(value, dict) and bool(value) and all(v is None for v in value.values())


def _short(line: str) -> str:
    """A failed check's line, shortened for the table where it says that a function is not written yet."""
    if NOT_IMPLEMENTED in line:
        head = line.split(NOT_IMPLEMENTED)[0].rstrip(" :").removesuffix(" is")
        return f"{head.split('(')[0]} is not implemented yet"
    return line


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())  # one line
    return text if len(text) <= width else text[: width - 1] + "…"


@contextlib.contextmanager
def _isolated() -> Iterator[io.StringIO]:
    """Capture what a check prints and restore the random generators it draws from (torch, NumPy, random)."""
    states = torch.random.get_rng_state(), np.random.get_state(), random.getstate()
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield out
    finally:
        torch.random.set_rng_state(states[0])
        np.random.set_state(states[1])
        random.setstate(states[2])


def status_of(part: Part, namespace: Mapping[str, Any]) -> Row:
    """Run ``part``'s visible check on the objects of ``namespace`` (a notebook's ``globals()``); never raises.

    Returns a :class:`Row`: ``not yet`` when a name is missing, an answer is still blank or the check
    stopped on an unwritten function; ``done`` when every check passed; ``failing`` with the first
    failed check's line otherwise. Only ``KeyboardInterrupt`` (the notebook's stop button, or a grading
    time limit) goes through.

    Parameters
    ----------
    part : Part
        The part to check.
    namespace : mapping
        The notebook's ``globals()``: the part's ``answers`` and ``given`` names are looked up in it. The
        check's printed lines are captured, and the torch, NumPy and ``random`` generator states restored
        after it.

    Returns
    -------
    Row
        The part's line of the progress table.
    """

    def row(status: str, message: str = "") -> Row:
        return Row(part.letter, part.title, status, message)

    for name in part.names:
        if name not in namespace:
            return row(NOT_YET, f"`{name}` is not defined yet: run its cell")
    for name in part.answers:
        if _placeholder(namespace[name]):
            return row(NOT_YET, f"`{name}` is not answered yet")
    error: BaseException | None = None
    with _isolated() as out:
        try:
            part.check(*(namespace[name] for name in part.names))
        except KeyboardInterrupt:
            raise
        # a check that fails raises CheckFailed; a student's SystemExit must not stop the table
        except BaseException as exc:
            error = exc
    if error is None:
        return row(DONE)
    failed = [line[len(FAIL) :].strip() for line in out.getvalue().splitlines() if line.startswith(FAIL)]
    unwritten = [line for line in failed if NOT_IMPLEMENTED in line]
    if unwritten:
        return row(NOT_YET, _short(unwritten[0]))
    if isinstance(error, NotImplementedError):
        return row(NOT_YET, _short(_stopped_by(error, error.__traceback__)))
    if failed:
        return row(FAILING, failed[0])
    return row(FAILING, f"the check stopped: {type(error).__name__}: {error}")


def progress(lab: ModuleType, namespace: Mapping[str, Any]) -> list[Row]:
    """Print the progress table of ``lab`` (a module of this package) for a notebook's ``globals()``.

    Every part in ``lab.PARTS`` is checked on its own (:func:`status_of`), whatever the state of
    the others and in whatever order the cells were run, as long as the names it needs exist.
    The table shows statuses and the checks' own messages only, no timings. Returns the rows.

    Parameters
    ----------
    lab : module
        A lab module of this package (it has ``LAB`` and ``PARTS``).
    namespace : mapping
        The notebook's ``globals()``.

    Returns
    -------
    list of Row
        One row per part, in the order of ``lab.PARTS``.
    """
    rows = [status_of(part, namespace) for part in lab.PARTS]
    title_width = max(len(r.title) for r in rows)
    print(f"Your progress on {lab.LAB} (each part's visible check, run again on its own):")
    print(f"  {'part':<{title_width + 4}}  {'status':<7}  first message")
    for r in rows:
        line = f"  {r.letter} — {r.title:<{title_width}}  {r.status:<7}  {_fit(r.message, MESSAGE_WIDTH)}"
        print(line.rstrip())
    done = sum(r.status == DONE for r in rows)
    print(
        f"{done} of {len(rows)} parts pass their visible checks. The hidden checks and the written answers "
        "count when the lab is graded."
    )
    return rows


def lab_progress(module_name: str) -> Callable[[Mapping[str, Any]], None]:
    """The ``progress(namespace)`` function of the lab module ``module_name`` (each module's
    ``progress = lab_progress(__name__)``): the lab's last cell calls it with ``globals()``.

    Parameters
    ----------
    module_name : str
        The lab module's name, e.g. ``"dlcourse.labs.lab01"``; it is looked up in ``sys.modules`` at each call.

    Returns
    -------
    callable
        ``progress(namespace) -> None``, which prints the table (:func:`progress`) and returns nothing.
    """

    def lab_progress_table(namespace: Mapping[str, Any]) -> None:
        """Print the progress table of this lab for the notebook's ``globals()``: the lab's last cell.

        :func:`dlcourse.labs.progress` does the work (and returns the rows).

        Parameters
        ----------
        namespace : mapping
            The notebook's ``globals()``.
        """
        progress(sys.modules[module_name], namespace)

    return lab_progress_table
