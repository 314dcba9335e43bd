"""The scan's entry points: the flags of one cell's source and of every changed cell of a submission."""

from __future__ import annotations

import ast

import nbformat

from .aliases import import_aliases
from .scanner import Flag, _Scanner

__all__ = ["scan_source", "scan_submission"]


def scan_source(
    source: str,
    cell: int = 0,
    *,
    forbidden: set[str] = frozenset(),
    allowed_grading: set[str] = frozenset({"Checker"}),
    aliases: dict[str, str] | None = None,
) -> list[Flag]:
    """Flags for one cell's Python source (IPython magics and shell lines are skipped).

    Parameters
    ----------
    source : str
        The cell's source.
    cell : int, default 0
        The cell's index, recorded in each flag.
    forbidden : set of str, default frozenset()
        Full dotted names of the functions the exercise asks students to write themselves.
    allowed_grading : set of str, default {"Checker"}
        The names of the grading module a submission may use (``grading.Checker``); any other use of it is
        flagged ``touches-checks``.
    aliases : dict of str to str, optional
        What each name stands for (:func:`import_aliases`); ``None`` takes this cell's own imports.

    Returns
    -------
    list of Flag
        The findings, in the order the scan meets them; a cell that does not parse gives one
        ``syntax-error`` flag.
    """
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return [Flag("syntax-error", cell, exc.lineno or 1, str(exc.msg))]
    aliases = import_aliases([source]) if aliases is None else aliases
    scanner = _Scanner(cell, source.splitlines(), set(forbidden), set(allowed_grading), aliases)
    scanner.visit(tree)
    return scanner.flags


def scan_submission(submission: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[Flag]:
    """Flags for every code cell of ``submission`` that is not identical to a cell of ``release``.

    The forbidden calls come from the release's metadata ``dlcourse.forbidden_calls``.

    Parameters
    ----------
    submission : nbformat.NotebookNode
        The student's notebook.
    release : nbformat.NotebookNode
        The released notebook.

    Returns
    -------
    list of Flag
        The findings of every changed code cell, in cell order; the aliases come from all of the
        submission's code cells.
    """
    released = {c.source for c in release.cells if c.cell_type == "code"}
    forbidden = set(release.metadata.get("dlcourse", {}).get("forbidden_calls", []))
    code_cells = [c.source for c in submission.cells if c.cell_type == "code"]
    aliases = import_aliases(code_cells)
    flags: list[Flag] = []
    for index, cell in enumerate(submission.cells):
        if cell.cell_type == "code" and cell.source not in released:
            flags += scan_source(cell.source, index, forbidden=forbidden, aliases=aliases)
    return flags
