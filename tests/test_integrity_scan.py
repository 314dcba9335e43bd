"""dlcourse_grade.integrity.scan: a submission's scan covers its changed cells only, with the release's forbidden
calls and the aliases of all its cells, and the reference solutions raise no flag."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dlcourse_grade.integrity import import_aliases, scan_submission

ROOT = Path(__file__).resolve().parents[1]


def test_scan_submission_only_scans_changed_cells_and_uses_the_release_metadata():
    release = new_notebook(
        cells=[new_code_cell("import torch.nn.functional as G"), new_code_cell("raise NotImplementedError()")]
    )
    release.metadata["dlcourse"] = {"forbidden_calls": ["torch.nn.functional.relu"]}
    submission = nbformat.from_dict(release)
    submission.cells[1] = new_code_cell("def relu(x):\n    return G.relu(x)")
    flags = scan_submission(submission, release)
    assert [(f.kind, f.cell, f.line, f.code) for f in flags] == [("delegates", 1, 2, "return G.relu(x)")]
    assert import_aliases(["import torch.nn.functional as G"])["G"] == "torch.nn.functional"


@pytest.mark.parametrize("lab", sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()))
def test_the_reference_solutions_raise_no_flag(lab):
    """The instructor's own answers are honest work: the scan must not send them to review.

    The submission is the source as a student would hand it in: the answers filled in, the hidden
    tests not there (nbgrader strips them from the release and puts them back only when grading, after
    the scan). The hidden tests may call what students may not: they are the instructor's oracle."""
    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "labs" / lab / f"{lab}.ipynb", as_version=4)
    hidden = re.compile(r"\n?### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
    for cell in source.cells:
        cell.source = (
            hidden.sub("\n", cell.source).rstrip("\n") if "### BEGIN HIDDEN TESTS" in cell.source else cell.source
        )
    assert [str(f) for f in scan_submission(source, release)] == []
