"""dlcourse-grade end to end on a batch of hostile and odd Lab 01 submissions.

The lab is Lab 01 without its Part E (``hostile.light``): the tool is under test, not the lab,
and the lighter lab halves the batch's time.

The batch is collected from a download folder, autograded in parallel with tight limits,
reported and given feedback, all through the command line. Every submission must end with
a score or a clear status and reason; no other student's grade may change; the course's own
gradebook must not be touched; no feedback page may show a hidden test's source.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from dlcourse import instructor

ROOT = Path(__file__).resolve().parents[1]
LAB = "lab01_activations"
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / LAB))
import hostile  # noqa: E402

pytestmark = pytest.mark.slow
SOURCE = hostile.light(nbformat.read(ROOT / "solutions" / LAB / f"{LAB}.ipynb", as_version=4))
CASES = hostile.build(hostile.light(nbformat.read(ROOT / "labs" / LAB / f"{LAB}.ipynb", as_version=4)), SOURCE)


def cli(course: Path, *args: str, home: Path) -> str:
    # The instructor's home is a temporary one too: if isolation failed, planted code must not
    # reach the real home of the machine running the tests.
    env = {**os.environ, "HOME": str(home), "IPYTHONDIR": str(home / ".ipython")}
    result = subprocess.run([sys.executable, "-m", "dlcourse.instructor", "--course", str(course), *args],
                            capture_output=True, text=True, timeout=1200, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    (course / "solutions" / LAB).mkdir(parents=True)
    nbformat.write(SOURCE, course / "solutions" / LAB / f"{LAB}.ipynb")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", LAB, "--force"], cwd=course,
                   check=True, capture_output=True)
    gradebook_before = digest(course / ".nbgrader" / "gradebook.db")
    downloads = tmp_path_factory.mktemp("downloads")
    for case in CASES.values():
        path = downloads / case["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case["data"])
    home = tmp_path_factory.mktemp("instructor_home")
    collected = cli(course, "collect", str(downloads), home=home)
    graded = cli(course, "autograde", LAB, "--workers", "2", "--wall-time", "60", "--cell-timeout", "10", home=home)
    reported = cli(course, "report", LAB, home=home)
    cli(course, "feedback", LAB, home=home)
    results = {r.student: r for r in instructor.load_results(course, LAB)}
    return dict(course=course, collected=collected, graded=graded, reported=reported, results=results,
                gradebook_before=gradebook_before, home=home)


def student_of(name: str) -> str:
    return CASES[name]["expect"].get("student", CASES[name]["file"].split("_")[0].split("/")[0])


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_submission_ends_as_expected(batch, name):
    expect = CASES[name]["expect"]
    student = student_of(name)
    if expect.get("status", "any") is None:
        assert student not in batch["results"]
        assert f"SKIPPED {CASES[name]['file']}" in batch["collected"]
        return
    result = batch["results"][student]
    if "status" in expect:
        assert result.status == expect["status"], (result.status, result.reason)
    if "status_in" in expect:
        assert result.status in expect["status_in"], (result.status, result.reason)
    if "reason_has" in expect:
        assert expect["reason_has"] in result.reason, result.reason
    if result.status != "graded":
        assert result.reason, "a submission that is not graded must say why"
    if "code_score" in expect:
        assert result.code_score == expect["code_score"], result
    if "code_score_at_most" in expect:
        assert result.code_score <= expect["code_score_at_most"], result
    for kind in expect.get("flags", []):
        assert any(flag.startswith(kind) for flag in result.flags), (kind, result.flags)


def test_the_batch_finishes_and_the_report_covers_everyone(batch):
    placed = {student_of(n) for n, c in CASES.items() if c["expect"].get("status", "any") is not None}
    assert set(batch["results"]) == placed
    rows = list(csv.DictReader((batch["course"] / "reports" / f"{LAB}.csv").open()))
    assert {r["student"] for r in rows} == placed
    assert "not graded" in batch["reported"] and "flagged" in batch["reported"]


def test_no_other_grade_and_not_the_course_gradebook_changes(batch):
    assert digest(batch["course"] / ".nbgrader" / "gradebook.db") == batch["gradebook_before"]
    bystander = batch["results"]["s18"]
    assert bystander.status == "graded" and bystander.code_score == hostile.MAX
    submitted = batch["course"] / "submitted" / "s18" / LAB / f"{LAB}.ipynb"
    assert submitted.read_bytes() == CASES["bystander"]["data"]


def test_code_planted_for_later_kernels_stays_in_its_own_home(batch):
    """The submission did write an IPython startup script — into its private home, not the grader's."""
    graded = nbformat.read(batch["course"] / "autograded" / "s19" / LAB / f"{LAB}.ipynb", as_version=4)
    printed = [line for cell in graded.cells for out in cell.get("outputs", []) for line in out.get("text", "").splitlines()
               if line.startswith("planted ")]
    assert printed, "the planting code did not run, so this case proves nothing"
    planted = Path(printed[0].split(" ", 1)[1])
    assert batch["home"] not in planted.parents, planted
    assert not (batch["home"] / ".ipython" / "profile_default" / "startup" / hostile.PLANTED).exists()


def test_feedback_never_shows_hidden_tests(batch):
    pages = sorted((batch["course"] / "feedback").rglob("*.html"))
    assert len(pages) >= 10
    hidden_sources = [c.source for c in SOURCE.cells if "### BEGIN HIDDEN TESTS" in c.source]
    secrets = ["BEGIN HIDDEN TESTS", "20260101", "manual_seed(2026"] + [
        line.strip() for src in hidden_sources for line in src.splitlines()[2:6] if len(line.strip()) > 25]
    for page in pages:
        text = page.read_text()
        for secret in secrets:
            assert secret not in text and json.dumps(secret)[1:-1] not in text, (page, secret)
        assert "source not shown" in text
    # the submission that printed its input history did get hidden-test source into its graded notebook
    # (else the check above proves nothing for it), and its feedback page withholds that output
    graded = nbformat.read(batch["course"] / "autograded" / "s21" / LAB / f"{LAB}.ipynb", as_version=4)
    printed = "".join(out.get("text", "") for cell in graded.cells for out in cell.get("outputs", [])
                      if cell.metadata.get("nbgrader", {}).get("grade_id") == "part_f")
    assert any(secret in printed for secret in secrets[1:]), printed[-2000:]
    assert "output not shown: it contains hidden-test source" in (
        batch["course"] / "feedback" / "s21" / LAB / f"{LAB}.html").read_text()


def test_each_result_is_written_when_graded_and_its_private_copy_removed(tmp_path, monkeypatch):
    """An interrupted batch keeps the grades it reached, and finished students' copies do not pile up."""
    course = tmp_path / "course"
    for student in ("a", "b"):
        (course / "submitted" / student / LAB).mkdir(parents=True)
        (course / "submitted" / student / LAB / f"{LAB}.ipynb").write_text("{}")
    seen = {}

    def template(course, lab, workdir):
        (workdir / "template").mkdir()
        return workdir / "template"

    def grade_one(course, template, lab, student, *, workdir, **limits):
        for private in instructor.private_dirs(workdir, student):
            private.mkdir()
        if student == "b":  # a was graded before: its result is on disk, its copies are gone
            seen["a's result"] = (course / "autograded" / "a" / lab / "result.json").exists()
            seen["a's copies"] = [p.name for p in instructor.private_dirs(workdir, "a") if p.exists()]
        return instructor.Result(student, lab, status="graded")

    monkeypatch.setattr(instructor, "_template", template)
    monkeypatch.setattr(instructor, "grade_one", grade_one)
    instructor.autograde(course, LAB, workers=1)
    assert seen == {"a's result": True, "a's copies": []}
    assert (course / "autograded" / "b" / LAB / "result.json").exists()
