"""dlcourse_grade.grade.submission: a copy that lost its nbgrader metadata gets it back from the release."""

from __future__ import annotations

import nbformat


def test_restore_metadata_aligns_a_stripped_copy_with_the_release():
    from pathlib import Path

    from dlcourse_grade.grade import restore_metadata

    root = Path(__file__).resolve().parents[1]
    release = nbformat.read(root / "labs/lab01_activations/lab01_activations.ipynb", 4)
    copy = nbformat.from_dict(release)
    answer = next(c for c in copy.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "part_b")
    answer.source = "def sigmoid(x):\n    return x"
    for cell in copy.cells:
        cell.metadata.pop("nbgrader", None)
    restored = restore_metadata(copy, release)
    assert restored == sum("nbgrader" in c.metadata for c in release.cells)
    assert [c.metadata.get("nbgrader", {}).get("grade_id") for c in copy.cells] == [
        c.metadata.get("nbgrader", {}).get("grade_id") for c in release.cells
    ]
