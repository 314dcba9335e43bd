"""The nbgrader loop end to end, for every lab in solutions/ (discovered, not listed).

For each lab, in a temporary copy of the course root (no JupyterHub, no exchange):

1. ``nbgrader generate_assignment`` regenerates the release, which must equal the committed
   ``labs/<lab>/`` byte for byte (so a changed source without a regenerated release fails);
2. two kinds of submission are autograded in one ``nbgrader autograde`` run:
   - the untouched release, which must score 0 and still grade without a crash;
   - each fixture in ``tests/fixtures/<lab>/`` named in its ``expected.json``, which must score
     exactly the expected partial score; the source's written answers are pasted into it, so
     that the submission also has answers that wait for a human.

That the source itself scores every automatic point is proved without grading it a third time
(it was the most expensive submission): nbval executes the source twice (the main pass and the
second CPU), failing on any cell that raises, and a test cell scores its points exactly when it
does not raise. ``test_nbval_runs_every_graded_cell`` checks that no graded cell is exempted from
that; ``tests/test_instructor.py`` grades a correct submission through nbgrader to full marks.

A new lab needs only its source in solutions/, its committed release in labs/, and at least
one fixture with its expected score.
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted(p.name for p in (ROOT / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())
FIXTURES = ROOT / "tests" / "fixtures"

pytestmark = pytest.mark.slow


def _api(course: Path):
    """nbgrader's own API on ``course``, configured by the course's nbgrader_config.py: the same apps the
    ``nbgrader`` commands run, in this process, which saves a ~3.5 s interpreter start per command."""
    from dlcourse_grade.gradebook import nbgrader_api

    return nbgrader_api(course)


def _succeeded(result: dict, command: str) -> None:
    if not result["success"]:
        raise AssertionError(f"nbgrader {command} failed:\n{result.get('error')}\n{result.get('log', '')[-3000:]}")


def generate_assignment(course: Path, lab: str) -> None:
    """``nbgrader generate_assignment LAB --force``."""
    _succeeded(_api(course).generate_assignment(lab, force=True), f"generate_assignment {lab}")


def autograde(course: Path, lab: str, students: list[str]) -> None:
    """``nbgrader autograde LAB`` for each of ``students`` (each one's kernel is a fresh process, as in the command)."""
    api = _api(course)
    for student in students:
        _succeeded(api.autograde(lab, student, force=True, create=True), f"autograde {lab} --student {student}")


def expected_fixtures(lab: str) -> dict[str, dict]:
    path = FIXTURES / lab / "expected.json"
    return json.loads(path.read_text()) if path.exists() else {}


def written_answers(lab: str) -> dict[str, str]:
    """grade_id -> the source's answer, for every answer cell graded by hand (markdown or code)."""
    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.metadata["nbgrader"].get("grade")
    }


def with_written_answers(lab: str, notebook: Path, target: Path) -> None:
    nb = nbformat.read(notebook, as_version=4)
    answers = written_answers(lab)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(nb, target)


def grade(lab: str, tmp_path_factory):
    """A temporary course with the lab released and the untouched release and the fixtures autograded."""
    course = tmp_path_factory.mktemp(f"course_{lab}")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / lab, course / "solutions" / lab)
    generate_assignment(course, lab)

    untouched = course / "submitted" / "untouched" / lab
    untouched.mkdir(parents=True)
    shutil.copy(ROOT / "labs" / lab / f"{lab}.ipynb", untouched / f"{lab}.ipynb")
    for name in expected_fixtures(lab):
        target = course / "submitted" / Path(name).stem / lab
        target.mkdir(parents=True)
        with_written_answers(lab, FIXTURES / lab / name, target / f"{lab}.ipynb")
    students = ["untouched", *(Path(name).stem for name in expected_fixtures(lab))]
    autograde(course, lab, students)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / '.nbgrader' / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(lab, s).to_dict() for s in students}
    return lab, course, scores


#: nbval's ways of not running a cell, or of letting it raise (tags and comment markers).
NBVAL_EXEMPTIONS = re.compile(r"nbval[-_]skip|raises[-_]exception", re.IGNORECASE)


@pytest.mark.parametrize("lab", LABS)
def test_nbval_runs_every_graded_cell(lab):
    """No test cell of a source lab is skipped by nbval or allowed to raise: then the nbval passes
    (every cell runs, none raises) prove that the source scores every automatic point."""
    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    graded = [c for c in source.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    assert graded, f"{lab} has no graded code cell"
    for cell in graded:
        marks = (
            " ".join(cell.metadata.get("tags", []))
            + "\n"
            + "\n".join(line for line in cell.source.splitlines() if line.strip().startswith("#"))
        )
        assert not NBVAL_EXEMPTIONS.search(marks), (
            f"{lab}: graded cell {cell.metadata['nbgrader']['grade_id']} is exempted from nbval"
        )


class GradingLoop:
    """The loop for one lab (``lab``). One class per lab, below, so that pytest-xdist's
    ``--dist loadscope`` spreads the labs over the workers while each lab is graded once."""

    lab: str

    @pytest.fixture(scope="class")
    def graded(self, tmp_path_factory):
        return grade(self.lab, tmp_path_factory)

    def test_release_is_regenerated_byte_for_byte(self, graded):
        lab, course, _ = graded
        generated, committed = course / "labs" / lab, ROOT / "labs" / lab
        assert sorted(p.name for p in generated.iterdir()) == sorted(p.name for p in committed.iterdir())
        for path in generated.iterdir():
            assert filecmp.cmp(path, committed / path.name, shallow=False), (
                f"labs/{lab}/{path.name} is stale: run `nbgrader generate_assignment {lab} --force` from the repository root"
            )

    def test_total_points_are_round(self, graded):
        _, _, scores = graded
        assert scores["untouched"]["max_code_score"] > 0
        assert scores["untouched"]["max_score"] % 5 == 0

    def test_untouched_release_scores_zero_without_crashing(self, graded):
        _, _, scores = graded
        assert scores["untouched"]["code_score"] == 0
        # an unchanged written answer is scored 0 by nbgrader itself; it needs no human
        assert scores["untouched"]["score"] == 0 and not scores["untouched"]["needs_manual_grade"]

    def test_an_unanswered_part_fails_with_one_short_message(self, graded):
        """What a student sees running the unanswered release (the untouched submission, executed by
        nbgrader just above): every visible test fails with :class:`dlcourse.grading.CheckFailed`
        shown as its message alone, after the checker's line saying what is missing — never with a
        traceback through a call made outside the checker (a raw ``NotImplementedError``)."""
        lab, course, _ = graded
        nb = nbformat.read(course / "autograded" / "untouched" / lab / f"{lab}.ipynb", as_version=4)
        visible = [
            c
            for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("_visible")
        ]
        assert visible, f"{lab} has no visible test"
        for cell in visible:
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert len(errors) == 1, f"{grade_id}: an unanswered part must fail its visible test"
            assert errors[0].ename == "CheckFailed", f"{grade_id}: failed with {errors[0].ename}, outside the checker"
            assert len(errors[0].traceback) == 1, f"{grade_id}: a traceback instead of the checker's message"
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert "\u2718" in printed, f"{grade_id}: no check line says what is wrong"
            assert "NotImplementedError" not in "\n".join(o.get("ename", "") for o in cell.outputs), grade_id

    def test_the_untouched_release_ends_with_every_part_not_yet(self, graded):
        """The untouched release (executed by nbgrader above) ends with the progress table
        (:func:`dlcourse.labs.progress`): one line per part of the lab's checks, every one "not yet",
        each with a message, and the cell itself raises nothing."""
        import importlib

        lab, course, _ = graded
        nb = nbformat.read(course / "autograded" / "untouched" / lab / f"{lab}.ipynb", as_version=4)
        last = nb.cells[-1]
        assert last.metadata.get("nbgrader", {}).get("grade_id") == "progress", "the lab does not end with its progress"
        assert not [o for o in last.outputs if o.output_type == "error"], "the progress cell raised"
        printed = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
        rows = [
            re.match(r"  ([A-Z]) — .*?  (done|not yet|failing)  (\S.*)$", line)
            for line in printed.splitlines()
            if line.startswith("  ") and " — " in line
        ]
        parts = importlib.import_module(f"dlcourse.labs.{lab[:5]}").PARTS
        assert [m and m.group(1) for m in rows] == [p.letter for p in parts], printed
        assert all(m.group(2) == "not yet" for m in rows), printed
        assert printed.splitlines()[-1].startswith(f"0 of {len(parts)} parts pass"), printed

    def test_written_answers_wait_for_a_human(self, graded):
        lab, _, scores = graded
        assert written_answers(lab), f"{lab} has no answer graded by hand"
        for name in expected_fixtures(lab):
            assert scores[Path(name).stem]["needs_manual_grade"]
            assert scores[Path(name).stem]["max_written_score"] > 0

    def test_fixtures_score_exactly_their_expected_partial_score(self, graded):
        lab, _, scores = graded
        fixtures = expected_fixtures(lab)
        assert fixtures, f"tests/fixtures/{lab}/expected.json must name at least one partial-score submission"
        for name, expected in fixtures.items():
            got = scores[Path(name).stem]["code_score"]
            assert got == expected["code_score"], (
                f"{name}: expected {expected['code_score']} ({expected['why']}), got {got}"
            )
            assert 0 < got < scores[Path(name).stem]["max_code_score"]


for _lab in LABS:
    globals()[f"TestGradingLoop_{_lab}"] = type(f"TestGradingLoop_{_lab}", (GradingLoop,), {"lab": _lab})
