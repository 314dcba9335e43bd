"""dlcourse-grade end to end on a batch of hostile and odd Lab 01 submissions.

The lab is Lab 01 without its Part E (``hostile.light``): the tool is under test, not the lab,
and the lighter lab halves the batch's time.

The batch is collected from a download folder, autograded in parallel with tight limits,
reported and given feedback, all through the command line, each kernel in the grading sandbox.
Where PostgreSQL is available (always in CI), the course gradebook is a throwaway PostgreSQL server
(``tests/postgres.py``) and the class is graded by two "hosts" at once, separate processes with
``--shard 0/2`` and ``--shard 1/2`` writing the one gradebook; elsewhere by one process into SQLite.
Every submission must end with a score or a clear status and reason; no other student's grade
may change; every graded submission is recorded in the course gradebook (and nothing else is);
no feedback page may show a hidden test's source; nothing a submission started outlives it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from dlcourse_grade import feedback, grade, gradebook, sandbox

ROOT = Path(__file__).resolve().parents[1]
LAB = "lab01_activations"
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / LAB))
import hostile  # noqa: E402, I001 - the fixtures folder is put on the path just above

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sandbox.available() and os.environ.get("DLCOURSE_REQUIRE_SANDBOX") != "1",
        reason="the grading sandbox needs bubblewrap: run `python tools/install_grading_sandbox.py`",
    ),
]
SOURCE = hostile.light(nbformat.read(ROOT / "solutions" / LAB / f"{LAB}.ipynb", as_version=4))
CASES = hostile.build(hostile.light(nbformat.read(ROOT / "labs" / LAB / f"{LAB}.ipynb", as_version=4)), SOURCE)


def instructor_env(home: Path, extra: dict | None = None) -> dict:
    # The instructor's home is a temporary one too: if isolation failed, planted code must not
    # reach the real home of the machine running the tests.
    return {**os.environ, "HOME": str(home), "IPYTHONDIR": str(home / ".ipython"), **(extra or {})}


def cli(course: Path, *args: str, home: Path, extra_env: dict | None = None, wait: bool = True):
    command = [sys.executable, "-m", "dlcourse_grade.instructor", "--course", str(course), *args]
    if not wait:
        return subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=instructor_env(home, extra_env)
        )
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, env=instructor_env(home, extra_env))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


LIMITS = ("--wall-time", "60", "--cell-timeout", "10", "--file-mb", "16", "--processes", "64")


@pytest.fixture(scope="module")
def batch(tmp_path_factory, request):
    try:
        server = request.getfixturevalue("postgres_server")
    except pytest.skip.Exception:  # no PostgreSQL here (CI requires it): one host, the SQLite gradebook
        server = None
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    (course / "solutions" / LAB).mkdir(parents=True)
    nbformat.write(SOURCE, course / "solutions" / LAB / f"{LAB}.ipynb")
    db_url, env = (server.create_database("gradebook"), server.env) if server else (None, {})
    if db_url:  # the course names its gradebook server, as the instructors page says (no password in it)
        with (course / "nbgrader_config.py").open("a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    # the release, recorded in the gradebook the class is graded into
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", LAB, "--force"],
        cwd=course,
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    downloads = tmp_path_factory.mktemp("downloads")
    for case in CASES.values():
        path = downloads / case["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case["data"])
    home = tmp_path_factory.mktemp("instructor_home")
    collected = cli(course, "collect", str(downloads), home=home)
    if server:  # two grading hosts at once, one worker each, on one gradebook: named by the option, or the config
        hosts = [
            cli(
                course,
                "autograde",
                LAB,
                "--workers",
                "1",
                "--shard",
                f"{i}/2",
                *LIMITS,
                *(["--db-url", db_url] if i == 0 else []),
                home=home,
                extra_env=env,
                wait=False,
            )
            for i in range(2)
        ]
        outputs = [host.communicate(timeout=1200) for host in hosts]
        for host, (out, err) in zip(hosts, outputs):
            assert host.returncode == 0, out[-3000:] + err[-3000:]
        graded = "".join(out for out, _ in outputs)
    else:
        graded = cli(course, "autograde", LAB, "--workers", "2", *LIMITS, home=home)
    reported = cli(course, "report", LAB, home=home, extra_env=env)
    cli(course, "feedback", LAB, home=home)
    results = {r.student: r for r in feedback.load_results(course, LAB)}
    return dict(
        course=course,
        collected=collected,
        graded=graded,
        reported=reported,
        results=results,
        home=home,
        db_url=db_url or gradebook.course_db_url(course),
        env=env,
        hosts=2 if server else 1,
    )


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
    if expect.get("no_flags"):
        assert result.flags == [], result.flags


def test_the_batch_finishes_and_the_report_covers_everyone(batch):
    placed = {student_of(n) for n, c in CASES.items() if c["expect"].get("status", "any") is not None}
    assert set(batch["results"]) == placed
    rows = list(csv.DictReader((batch["course"] / "reports" / f"{LAB}.csv").open()))
    assert {r["student"] for r in rows} == placed
    assert "not graded" in batch["reported"] and "flagged" in batch["reported"]


def test_no_other_grade_changes_and_the_course_gradebook_holds_every_graded_submission(batch, monkeypatch):
    """Every graded submission lands in the course gradebook with the score it was given (formgrader,
    manual grading and ``nbgrader export`` see it), whichever host graded it; nothing else does."""
    from nbgrader.api import Gradebook

    for name, value in batch["env"].items():
        monkeypatch.setenv(name, value)

    bystander = batch["results"]["s18"]
    assert bystander.status == "graded" and bystander.code_score == hostile.MAX
    submitted = batch["course"] / "submitted" / "s18" / LAB / f"{LAB}.ipynb"
    assert submitted.read_bytes() == CASES["bystander"]["data"]
    graded = {s: r for s, r in batch["results"].items() if r.status == "graded"}
    with Gradebook(batch["db_url"]) as gb:
        recorded = {sub.student.id: sub for sub in gb.assignment_submissions(LAB)}
        assert set(recorded) == set(graded)
        for student, result in graded.items():
            submission = recorded[student]
            assert submission.code_score == result.code_score, (student, submission.code_score, result.code_score)
            grades = {g.name: g for nb in submission.notebooks for g in nb.grades}
            assert set(grades) == set(result.cells), student  # the hand-graded part_g too, for formgrader
            for name, score in result.cells.items():
                assert grades[name].score == score, (student, name, grades[name].score, score)
            assert not any(f.startswith("not-in-gradebook") for f in result.flags)
    # formgrader's view of the assignment: the API its pages are served from
    api = gradebook.nbgrader_api(batch["course"], CourseDirectory={"db_url": batch["db_url"]})
    shown = {s["student"]: s for s in api.get_submissions(LAB) if s["autograded"]}
    assert set(shown) == set(graded)
    assert shown["s18"]["code_score"] == hostile.MAX
    export = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", "--to", str(batch["course"] / "grades.csv")],
        cwd=batch["course"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **batch["env"]},
    )
    assert export.returncode == 0, export.stderr[-2000:]
    rows = {r["student_id"]: r for r in csv.DictReader((batch["course"] / "grades.csv").open())}
    assert set(rows) == set(graded)
    assert float(rows["s18"]["raw_score"]) == hostile.MAX


def test_both_hosts_graded_and_regrading_changes_nothing(batch, monkeypatch):
    """The shards split the class between the hosts, and recording a student again (a re-grade)
    replaces the record: the gradebook and the results table are as before."""
    from nbgrader.api import Gradebook

    for name, value in batch["env"].items():
        monkeypatch.setenv(name, value)
    if os.environ.get("DLCOURSE_REQUIRE_POSTGRES") == "1":
        assert batch["hosts"] == 2, "CI grades the batch as two hosts on a PostgreSQL gradebook"
    if batch["hosts"] == 2:
        assert batch["db_url"].startswith("postgresql+psycopg://")
        for i in range(2):
            mine = {s for s in batch["results"] if grade.in_shard(s, (i, 2))}
            assert mine, f"shard {i}/2 graded nobody: the split proves nothing"
    before = {r.student: r for r in gradebook.stored_results(batch["db_url"], LAB)}
    with Gradebook(batch["db_url"]) as gb:
        count = len(gb.assignment_submissions(LAB))
    assert gradebook.record_in_gradebook(batch["course"], LAB, "s18", db_url=batch["db_url"]) is None
    gradebook.store_result(batch["db_url"], batch["results"]["s18"])
    with Gradebook(batch["db_url"]) as gb:
        assert len(gb.assignment_submissions(LAB)) == count
        assert gb.find_submission(LAB, "s18").code_score == hostile.MAX
    assert {r.student: r for r in gradebook.stored_results(batch["db_url"], LAB)} == before


def test_code_planted_for_later_kernels_stays_in_its_own_home(batch):
    """The submission did write an IPython startup script — into its private home, not the grader's."""
    graded = nbformat.read(batch["course"] / "autograded" / "s19" / LAB / f"{LAB}.ipynb", as_version=4)
    printed = [
        line
        for cell in graded.cells
        for out in cell.get("outputs", [])
        for line in out.get("text", "").splitlines()
        if line.startswith("planted ")
    ]
    assert printed, "the planting code did not run, so this case proves nothing"
    planted = Path(printed[0].split(" ", 1)[1])
    assert batch["home"] not in planted.parents, planted
    assert not (batch["home"] / ".ipython" / "profile_default" / "startup" / hostile.PLANTED).exists()


def printed(batch, student: str) -> str:
    graded = nbformat.read(batch["course"] / "autograded" / student / LAB / f"{LAB}.ipynb", as_version=4)
    return "".join(out.get("text", "") for cell in graded.cells for out in cell.get("outputs", []))


def test_the_sandbox_shows_a_kernel_nothing_to_copy_and_no_network(batch):
    out = printed(batch, "s22")
    assert "found: []" in out, out[-2000:]
    assert "course in environment: []" in out, out[-2000:]
    assert "database secrets in environment: []" in out, out[-2000:]
    assert "network: ConnectionRefusedError" in out or "network: OSError" in out, out[-2000:]


def test_the_sandbox_limits_processes_and_file_size(batch):
    forks = printed(batch, "s23")
    assert "fork stopped after" in forks and int(forks.split("fork stopped after")[1].split()[0]) < 64, forks[-1000:]
    written = printed(batch, "s23")
    assert "stopped at" in written and int(written.split("stopped at")[1].split()[0]) <= 16, written[-1000:]


def test_nothing_a_submission_started_outlives_its_grading(batch):
    """The escapee left its session with setsid: it died with the sandbox's PID namespace, at once."""
    alive = []
    for proc in Path("/proc").iterdir():
        try:
            if "escapee-s23" in (proc / "cmdline").read_text():
                alive.append(proc.name)
        except OSError:
            continue
    assert alive == []
    assert batch["results"]["s23"].seconds < 40, batch["results"]["s23"]


def test_feedback_never_shows_hidden_tests(batch):
    pages = sorted((batch["course"] / "feedback").rglob("*.html"))
    assert len(pages) >= 10
    hidden_sources = [c.source for c in SOURCE.cells if "### BEGIN HIDDEN TESTS" in c.source]
    secrets = ["BEGIN HIDDEN TESTS", "20260101", "manual_seed(2026"] + [
        line.strip() for src in hidden_sources for line in src.splitlines()[2:6] if len(line.strip()) > 25
    ]
    for page in pages:
        text = page.read_text()
        for secret in secrets:
            assert secret not in text and json.dumps(secret)[1:-1] not in text, (page, secret)
        assert "source not shown" in text
    # the submission that printed its input history did get hidden-test source into its graded notebook
    # (else the check above proves nothing for it), and its feedback page withholds that output
    graded = nbformat.read(batch["course"] / "autograded" / "s21" / LAB / f"{LAB}.ipynb", as_version=4)
    printed = "".join(
        out.get("text", "")
        for cell in graded.cells
        for out in cell.get("outputs", [])
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "part_f"
    )
    assert any(secret in printed for secret in secrets[1:]), printed[-2000:]
    assert (
        "output not shown: it contains hidden-test source"
        in (batch["course"] / "feedback" / "s21" / LAB / f"{LAB}.html").read_text()
    )


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
        for private in grade.private_dirs(workdir, student):
            private.mkdir()
        if student == "b":  # a was graded before: its result is on disk, its copies are gone
            seen["a's result"] = (course / "autograded" / "a" / lab / "result.json").exists()
            seen["a's copies"] = [p.name for p in grade.private_dirs(workdir, "a") if p.exists()]
        return grade.Result(student, lab, status="graded")

    recorded = []
    monkeypatch.setattr(grade.batch, "_template", template)  # where autograde looks them up
    monkeypatch.setattr(grade.batch, "grade_one", grade_one)
    stored = []
    monkeypatch.setattr(gradebook, "record_in_gradebook", lambda course, lab, student, db_url: recorded.append(student))
    monkeypatch.setattr(gradebook, "check_assignment", lambda db_url, lab: None)
    monkeypatch.setattr(gradebook, "store_result", lambda db_url, result: stored.append(result.student))
    grade.autograde(course, LAB, workers=1)
    assert stored == ["a", "b"], "each result goes to the gradebook's results table as it is graded"
    assert seen == {"a's result": True, "a's copies": []}
    assert recorded == ["a", "b"], "each graded submission goes to the course gradebook as it is graded"
    assert (course / "autograded" / "b" / LAB / "result.json").exists()
