"""The outcome of grading one submission: its :class:`Result`, the scores read back from the private
gradebook, a failure told in words, and the check that every test cell that scored really ran its checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .isolation import sqlite_gradebook_url

__all__ = ["Result", "verify_checks_ran"]


@dataclass
class Result:
    """What grading one student's submission of one lab ended with (written as ``result.json``).

    Parameters
    ----------
    student : str
        The student's id.
    lab : str
        The assignment's name.
    status : str, default "graded"
        ``"graded"``, ``"invalid-notebook"``, ``"timed-out"`` or ``"failed"``.
    reason : str, default ""
        Why the submission was not graded, in words.
    code_score, max_code_score : float, default 0.0
        The points nbgrader gave the submission's code and the most it could get.
    needs_manual_grade : bool, default False
        Whether cells are left for a person to grade.
    cells : dict, default {}
        The points of each graded cell by grade_id (``None``: not graded yet).
    flags : list, default []
        What a reviewer should look at: integrity flags (:mod:`dlcourse_grade.integrity`), repaired
        metadata, checks that did not run, a grade missing from the course gradebook.
    seconds : float, default 0.0
        How long the grading took.
    """

    student: str
    lab: str
    status: str = "graded"  # graded | invalid-notebook | timed-out | failed
    reason: str = ""
    code_score: float = 0.0
    max_code_score: float = 0.0
    needs_manual_grade: bool = False
    cells: dict = field(default_factory=dict)
    flags: list = field(default_factory=list)
    seconds: float = 0.0


_KNOWN_FAILURES = {
    "DeadKernelError": "the kernel died while running the notebook (it crashed Python, e.g. os._exit or a segfault)",
    "CellTimeoutError": "a cell ran past the per-cell time limit and the kernel did not answer the interrupt "
    "(code that ignores SIGINT?)",
    "MemoryError": "the notebook ran out of memory",
}


def _errors(log: str) -> str:
    """A readable reason from nbgrader's log: a known failure in words, else the error lines."""
    for marker, explanation in _KNOWN_FAILURES.items():
        if marker in log:
            return explanation
    lines = [line for line in log.splitlines() if "ERROR" in line or "Error" in line]
    return (" | ".join(lines) or log)[-400:]


def _output_text(output: dict) -> str:
    """Everything an output shows as text: stream text, error value and traceback, every data format."""
    parts = [
        output.get("text", ""),
        output.get("evalue", ""),
        *output.get("traceback", []),
        *output.get("data", {}).values(),
    ]
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts if isinstance(p, (str, list)))


_SUMMARY = re.compile(r"^All (\d+) check\(s\) passed\.$", re.M)


def verify_checks_ran(graded: nbformat.NotebookNode, source: nbformat.NotebookNode, result: Result) -> list[str]:
    """Zero every test cell that earned points although its checks did not report running.

    nbgrader gives a test cell its points when it ends without an error, so a submission that
    rewrites later cells before they run (an IPython input transformer, an AST transformer) could
    turn the tests into ``pass`` and score full marks. A test cell whose source uses the course's
    ``Checker`` always prints ``All N check(s) passed.`` when it passes, with one ``✔`` line per
    check; a passing cell without that summary did not run its checks. The same holds for a visible
    test cell that calls a part's check of :mod:`dlcourse.labs` (``lab01.part_a(relu, ...)``): the
    check runs a ``Checker``, so a cell whose call printed no summary (the submission replaced
    ``lab01.part_a``, say) did not run it either. Such a cell gets an error output (so nbgrader,
    recording the notebook, scores it 0 too), its points are removed from ``result`` and the
    submission is flagged ``checks-did-not-run``. Returns the cells' grade_ids.

    Parameters
    ----------
    graded : nbformat.NotebookNode
        The notebook nbgrader graded; a zeroed cell gets an error output, in place.
    source : nbformat.NotebookNode
        The lab's source notebook (with the hidden tests): which test cells use a ``Checker`` or a part's check.
    result : Result
        The submission's result, its :attr:`~Result.cells` read from the gradebook; zeroed cells lose their
        points and the flag is added, in place.

    Returns
    -------
    list of str
        The grade_ids of the zeroed cells, in notebook order (empty when every check ran).
    """
    calls_a_part = re.compile(r"\blab\d+\s*\.\s*part_[a-z]+\s*\(")  # lab01.part_a(...), labs.lab01.part_a(...)
    uses_checker = {
        c.metadata["nbgrader"]["grade_id"]
        for c in source.cells
        if "nbgrader" in c.metadata
        and c.metadata["nbgrader"].get("grade")
        and ("Checker(" in c.source or calls_a_part.search(c.source))
    }
    zeroed = []
    for cell in graded.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in uses_checker or not result.cells.get(grade_id):
            continue
        text = "".join(_output_text(o) for o in cell.get("outputs", []))
        claimed = sum(int(n) for n in _SUMMARY.findall(text))
        if _SUMMARY.search(text) and 0 < claimed <= text.count("\u2714"):
            continue
        cell.setdefault("outputs", []).append(
            nbformat.v4.new_output(
                "error",
                ename="ChecksDidNotRun",
                evalue="this test cell earned points but its checks never reported; something rewrote it before it ran",
                traceback=[],
            )
        )
        result.code_score -= result.cells[grade_id]
        result.cells[grade_id] = 0.0
        zeroed.append(grade_id)
    if zeroed:
        result.flags.append(
            f"checks-did-not-run: {', '.join(zeroed)} passed without running their checks "
            "(scored 0): look for code that rewrites cells (IPython transformers, hooks)"
        )
    return zeroed


def _read_scores(private: Path, lab: str, student: str, result: Result, log: str) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    try:
        with Gradebook(sqlite_gradebook_url(private)) as gb:
            submission = gb.find_submission(lab, student)
            result.code_score = float(submission.code_score)
            result.max_code_score = float(submission.max_code_score)
            result.needs_manual_grade = bool(submission.needs_manual_grade)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    result.cells[grade.name] = None if grade.score is None else float(grade.score)
    except MissingEntry:
        result.status, result.reason = "failed", f"nbgrader recorded no grade: {_errors(log)}"
