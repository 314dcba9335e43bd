"""A submitted notebook before nbgrader sees it: read, checked, its lost nbgrader metadata restored from the
release, and scanned for integrity flags."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from ..integrity import scan_submission
from .outcome import Result

__all__ = ["restore_metadata"]


def _prepare(notebook_path: Path, release: nbformat.NotebookNode, result: Result) -> nbformat.NotebookNode | None:
    """Read and repair what can be repaired before nbgrader sees the notebook."""
    try:
        nb = nbformat.read(notebook_path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # any unreadable file ends as a clear status, never as a crash
        result.status, result.reason = "invalid-notebook", f"not a valid notebook: {type(exc).__name__}: {exc}"[:300]
        return None
    released_ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in release.cells} - {None}
    seen = set()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is None:
            continue
        if grade_id in seen:  # a duplicated cell would stop nbgrader: keep the first as graded
            cell.metadata.pop("nbgrader")
            result.flags.append(f"duplicated-cell: a second cell with grade_id {grade_id!r} was ignored for grading")
        seen.add(grade_id)
    missing = released_ids - seen
    if missing:
        restored = restore_metadata(nb, release)
        result.flags.append(
            f"metadata-missing: {len(missing)} graded cell(s) had no nbgrader metadata "
            f"({', '.join(sorted(missing)[:4])}{', …' if len(missing) > 4 else ''}); {restored} "
            "restored by matching the release, deleted test cells are re-added: review the answers"
        )
    result.flags += [str(f) for f in scan_submission(nb, release)]
    return nb


def restore_metadata(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> int:
    """Give cells that lost their nbgrader metadata (a copy into a new notebook) their identity back.

    The cells are aligned with the release's by their sources: an unchanged cell takes its
    released twin's metadata; a changed cell standing where a released *answer* cell stands (the
    same number of changed cells between the same unchanged neighbours, same cell type) takes
    that answer cell's metadata. Returns how many cells were restored.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The submission; its cells are given their metadata in place.
    release : nbformat.NotebookNode
        The released notebook, whose cells carry the nbgrader metadata.

    Returns
    -------
    int
        How many cells were given their metadata back.
    """
    import difflib

    ids_present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}
    matcher = difflib.SequenceMatcher(
        a=[c.source for c in release.cells], b=[c.source for c in nb.cells], autojunk=False
    )
    restored = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag not in ("equal", "replace") or (tag == "replace" and i2 - i1 != j2 - j1):
            continue
        for old, new in zip(release.cells[i1:i2], nb.cells[j1:j2]):
            meta = old.metadata.get("nbgrader")
            if (
                not meta
                or "nbgrader" in new.metadata
                or meta["grade_id"] in ids_present
                or old.cell_type != new.cell_type
                or (tag == "replace" and not meta.get("solution"))
            ):
                continue
            new.metadata["nbgrader"] = json.loads(json.dumps(meta))
            ids_present.add(meta["grade_id"])
            restored += 1
    return restored
