"""dlcourse_grade.grade.outcome: a test cell that scored without its checks reporting loses its points, and honest
work (every lab's recorded outputs) never does."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from dlcourse_grade.integrity import scan_submission

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("lab", sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()))
def test_every_passing_test_cell_of_every_lab_reports_its_checks(lab):
    """verify_checks_ran must never zero honest work: on each source lab's recorded outputs (all
    tests passing), every test cell that uses the Checker shows the summary it looks for."""
    from dlcourse_grade.grade import Result, verify_checks_ran

    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    graded = {
        c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    result = Result("s", lab, code_score=sum(graded.values()), cells=dict(graded))
    assert verify_checks_ran(nbformat.from_dict(source), source, result) == []
    assert result.flags == []


def test_a_test_cell_rewritten_to_pass_loses_its_points():
    from dlcourse_grade.grade import Result, verify_checks_ran

    lab = "lab01_activations"
    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    graded = nbformat.from_dict(source)
    cell = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_part_d_hidden")
    cell.outputs = []
    result = Result("s", lab, code_score=10.0, cells={"test_part_d_hidden": 4.0, "test_part_d_visible": 2.0})
    assert verify_checks_ran(graded, source, result) == ["test_part_d_hidden"]
    assert result.code_score == 6.0 and result.cells["test_part_d_hidden"] == 0.0
    assert result.flags[0].startswith("checks-did-not-run")
    assert cell.outputs[-1]["ename"] == "ChecksDidNotRun"


def test_a_visible_check_replaced_by_the_submission_loses_its_points():
    """A visible test cell is one call, ``lab01.part_a(relu, relu_grad, leaky_relu)``. A submission that
    replaces the check (``lab01.part_a = lambda *a: None``) makes the cell pass without a word: the
    grader zeroes it, as it zeroes a rewritten cell, and the static scan names the replacement."""
    from dlcourse_grade.grade import Result, verify_checks_ran

    lab = "lab01_activations"
    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "labs" / lab / f"{lab}.ipynb", as_version=4)
    visible = next(c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_part_a_visible")
    assert visible.source.startswith("lab01.part_a(") and "Checker(" not in visible.source

    graded = nbformat.from_dict(source)
    answer = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "part_a")
    answer.source = "lab01.part_a = lambda *args: None\n" + answer.source
    cell = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_part_a_visible")
    cell.outputs = []  # what the replaced check prints: nothing, and the cell passes
    forged = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_part_b_visible")
    forged.outputs = [nbformat.v4.new_output("stream", name="stdout", text="All 2 check(s) passed.\n")]  # no ✔ lines
    result = Result(
        "s",
        lab,
        code_score=9.0,
        cells={
            "test_part_a_visible": 2.0,
            "test_part_a_hidden": 3.0,
            "test_part_b_visible": 2.0,
            "test_part_c_visible": 2.0,
        },
    )
    assert verify_checks_ran(graded, source, result) == ["test_part_a_visible", "test_part_b_visible"]
    assert result.code_score == 5.0 and result.cells["test_part_c_visible"] == 2.0
    assert cell.outputs[-1]["ename"] == "ChecksDidNotRun"
    flags = scan_submission(graded, release)
    assert [(f.kind, f.code) for f in flags] == [("touches-checks", "lab01.part_a = lambda *args: None")]
