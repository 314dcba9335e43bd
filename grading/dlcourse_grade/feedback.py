"""``dlcourse-grade report`` and ``feedback``: the class's CSV, and feedback pages without hidden tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat

from .grade import Result, _output_text

__all__ = ["HIDDEN_MARK", "HIDDEN_END", "load_results", "report", "hidden_cells", "hidden_lines", "redact", "feedback"]

HIDDEN_MARK = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


# --------------------------------------------------------------------------- report
def load_results(course: Path, lab: str) -> list[Result]:
    """The results of ``lab`` graded on this host (``autograded/<student>/<lab>/result.json``).

    Parameters
    ----------
    course : pathlib.Path
        The course root.
    lab : str
        The lab's name.

    Returns
    -------
    list of dlcourse_grade.grade.Result
        One per student folder with a ``result.json``, by student id; empty if there is no ``autograded``
        folder.
    """
    autograded = course / "autograded"
    paths = sorted(autograded.glob(f"*/{lab}/result.json")) if autograded.exists() else []
    return [Result(**json.loads(p.read_text())) for p in paths]


def report(course: Path, lab: str, db_url: str | None = None) -> tuple[Path, str]:
    """Write ``reports/<lab>.csv`` and return it with a text summary.

    The results are read from the course gradebook (``db_url``:
    :func:`dlcourse_grade.gradebook.course_db_url`), where every grading host writes them: a report
    made on any host covers the whole class.

    Parameters
    ----------
    course : pathlib.Path
        The course root; the CSV is written to its ``reports`` folder (an existing one is overwritten).
    lab : str
        The lab's name.
    db_url : str, optional
        The gradebook's URL; by default the course's (:func:`dlcourse_grade.gradebook.course_db_url`).

    Returns
    -------
    path : pathlib.Path
        The CSV: one row per student (status, scores, the score of each graded cell, flags, reason).
    summary : str
        How many submissions were graded, not graded and flagged, then one line per student not graded
        or flagged.

    Raises
    ------
    ValueError
        If ``db_url`` (given or configured) is not an acceptable database URL.
    """
    from .gradebook import course_db_url, stored_results

    results = stored_results(course_db_url(course, db_url), lab)
    cells = sorted({c for r in results for c in r.cells})
    path = course / "reports" / f"{lab}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["student", "status", "code_score", "max_code_score", "needs_manual_grade", *cells, "flags", "reason"]
        )
        for r in results:
            writer.writerow(
                [
                    r.student,
                    r.status,
                    r.code_score,
                    r.max_code_score,
                    r.needs_manual_grade,
                    *[r.cells.get(c, "") for c in cells],
                    " | ".join(r.flags),
                    r.reason,
                ]
            )
    failed = [r for r in results if r.status != "graded"]
    flagged = [r for r in results if r.flags]
    lines = [
        f"{lab}: {len(results)} submission(s), {len(results) - len(failed)} graded, {len(failed)} not graded, "
        f"{len(flagged)} flagged for review"
    ]
    lines += [f"  not graded  {r.student}: {r.status}: {r.reason}" for r in failed]
    lines += [f"  flagged     {r.student}: {'; '.join(r.flags)[:300]}" for r in flagged]
    return path, "\n".join(lines)


# --------------------------------------------------------------------------- feedback
def hidden_cells(source: nbformat.NotebookNode) -> set[str]:
    """grade_ids of the cells of the lab's ``source`` notebook that contain hidden tests.

    Parameters
    ----------
    source : nbformat.NotebookNode
        The lab's source notebook (``solutions/<lab>/<lab>.ipynb``).

    Returns
    -------
    set of str
        The ``grade_id`` of every nbgrader cell whose source contains ``HIDDEN_MARK``.
    """
    return {
        c.metadata["nbgrader"]["grade_id"] for c in source.cells if HIDDEN_MARK in c.source and "nbgrader" in c.metadata
    }


def hidden_lines(source: nbformat.NotebookNode, min_length: int = 20) -> set[str]:
    """The lines of ``source``'s hidden tests long enough to identify them (``min_length`` characters).

    Parameters
    ----------
    source : nbformat.NotebookNode
        The lab's source notebook.
    min_length : int, default 20
        The shortest line kept, counted without leading and trailing whitespace; shorter lines are too
        common to show that a hidden test leaked.

    Returns
    -------
    set of str
        The stripped lines between ``HIDDEN_MARK`` and ``HIDDEN_END`` (the marker lines excluded).
    """
    lines = set()
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            if HIDDEN_MARK in line:
                inside = True
            elif HIDDEN_END in line:
                inside = False
            elif inside and len(line.strip()) >= min_length:
                lines.add(line.strip())
    return lines


def _shows_any(text: str, secrets: set[str]) -> bool:
    return any(secret in text for secret in secrets)


def redact(
    nb: nbformat.NotebookNode, hidden: set[str], scores: dict | None = None, secrets: set[str] = frozenset()
) -> nbformat.NotebookNode:
    """A copy of ``nb`` in which hidden-test cells show no source and no traceback, and no output of any
    cell shows a line of ``secrets`` (the hidden tests' source, which a submission may have printed).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A graded notebook; it is not modified.
    hidden : set of str
        The ``grade_id`` of the hidden-test cells (:func:`hidden_cells`).
    scores : dict, optional
        ``grade_id`` -> score (float, or ``None`` when not scored); a hidden cell with a score shows
        ``Score: <score> / <points>``, one without shows ``Points: <points>``.
    secrets : set of str, default empty
        Text that no output may show (:func:`hidden_lines`); an output containing any of it is replaced
        by a one-line notice on stdout. Empty: no output is checked.

    Returns
    -------
    nbformat.NotebookNode
        The redacted copy: a hidden cell's source is replaced by a one-line comment, and its error
        outputs keep only the exception's name; its other outputs are kept unless they show a secret.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if secrets and cell.get("outputs"):
            cell.outputs = [
                out
                if not _shows_any(_output_text(out), secrets)
                else nbformat.v4.new_output(
                    "stream", name="stdout", text="[output not shown: it contains hidden-test source]\n"
                )
                for out in cell.outputs
            ]
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") not in hidden:
            continue
        points = meta.get("points", "?")
        got = (scores or {}).get(meta["grade_id"])
        cell.source = f"# Hidden tests ({meta['grade_id']}): source not shown." + (
            f" Score: {got:g} / {points}" if got is not None else f" Points: {points}"
        )
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: hidden tests failed (details withheld)"]
                output["evalue"] = "hidden tests failed"
    return nb


def feedback(course: Path, lab: str) -> list[Path]:
    """Write one redacted HTML feedback page per graded student; return their paths.

    Parameters
    ----------
    course : pathlib.Path
        The course root; the lab's source notebook ``solutions/<lab>/<lab>.ipynb`` must exist.
    lab : str
        The lab's name.

    Returns
    -------
    list of pathlib.Path
        The pages written, ``feedback/<student>/<lab>/<lab>.html``: one per student graded on this host
        (:func:`load_results`) whose graded notebook ``autograded/<student>/<lab>/<lab>.ipynb`` exists.
    """
    from nbconvert import HTMLExporter

    source = nbformat.read(course / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    hidden, secrets = hidden_cells(source), hidden_lines(source)
    exporter = HTMLExporter()
    written = []
    for result in load_results(course, lab):
        graded = course / "autograded" / result.student / lab / f"{lab}.ipynb"
        if not graded.exists():
            continue
        body, _ = exporter.from_notebook_node(
            redact(nbformat.read(graded, as_version=4), hidden, result.cells, secrets)
        )
        out = course / "feedback" / result.student / lab / f"{lab}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
        written.append(out)
    return written
