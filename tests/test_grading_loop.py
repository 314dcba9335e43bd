"""The nbgrader loop end to end, for every lab in solutions/ (discovered, not listed).

For each lab, in a temporary copy of the course root (no JupyterHub, no exchange):

1. ``nbgrader generate_assignment`` regenerates the release, which must equal the committed
   ``labs/<lab>/`` byte for byte (so a changed source without a regenerated release fails);
2. three submissions are autograded in one ``nbgrader autograde`` run:
   - the source notebook itself, which must score every automatic point;
   - the untouched release, which must score 0 and still grade without a crash;
   - each fixture in ``tests/fixtures/<lab>/`` named in its ``expected.json``, which must score
     exactly the expected partial score.

A new lab needs only its source in solutions/, its committed release in labs/, and at least
one fixture with its expected score.
"""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted(p.name for p in (ROOT / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())
FIXTURES = ROOT / "tests" / "fixtures"

pytestmark = pytest.mark.slow


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True,
                            text=True, timeout=900)
    if result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def expected_fixtures(lab: str) -> dict[str, dict]:
    path = FIXTURES / lab / "expected.json"
    return json.loads(path.read_text()) if path.exists() else {}


def grade(lab: str, tmp_path_factory):
    """A temporary course with the lab released and three kinds of submission autograded."""
    course = tmp_path_factory.mktemp(f"course_{lab}")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / lab, course / "solutions" / lab)
    nbgrader(course, "generate_assignment", lab, "--force")

    submissions = {"source": ROOT / "solutions" / lab / f"{lab}.ipynb",
                   "untouched": ROOT / "labs" / lab / f"{lab}.ipynb"}
    for name in expected_fixtures(lab):
        submissions[Path(name).stem] = FIXTURES / lab / name
    for student, notebook in submissions.items():
        target = course / "submitted" / student / lab
        target.mkdir(parents=True)
        shutil.copy(notebook, target / f"{lab}.ipynb")
    nbgrader(course, "autograde", lab)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / '.nbgrader' / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(lab, s).to_dict() for s in submissions}
    return lab, course, scores


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
                f"labs/{lab}/{path.name} is stale: run `nbgrader generate_assignment {lab} --force` from the repository root")


    def test_source_notebook_scores_every_automatic_point(self, graded):
        lab, _, scores = graded
        source = scores["source"]
        assert source["max_code_score"] > 0
        assert source["code_score"] == source["max_code_score"], f"{lab}: the solutions lose points"


    def test_total_points_are_round(self, graded):
        _, _, scores = graded
        assert scores["source"]["max_score"] % 5 == 0


    def test_untouched_release_scores_zero_without_crashing(self, graded):
        _, _, scores = graded
        assert scores["untouched"]["code_score"] == 0
        # an unchanged written answer is scored 0 by nbgrader itself; it needs no human
        assert scores["untouched"]["score"] == 0 and not scores["untouched"]["needs_manual_grade"]


    def test_written_answers_wait_for_a_human(self, graded):
        _, _, scores = graded
        assert scores["source"]["needs_manual_grade"]
        assert scores["source"]["max_written_score"] > 0


    def test_fixtures_score_exactly_their_expected_partial_score(self, graded):
        lab, _, scores = graded
        fixtures = expected_fixtures(lab)
        assert fixtures, f"tests/fixtures/{lab}/expected.json must name at least one partial-score submission"
        for name, expected in fixtures.items():
            got = scores[Path(name).stem]["code_score"]
            assert got == expected["code_score"], f"{name}: expected {expected['code_score']} ({expected['why']}), got {got}"
            assert 0 < got < scores["source"]["max_code_score"]


for _lab in LABS:
    globals()[f"TestGradingLoop_{_lab}"] = type(f"TestGradingLoop_{_lab}", (GradingLoop,), {"lab": _lab})
