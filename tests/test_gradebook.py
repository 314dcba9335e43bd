"""The course gradebook's settings and the split of a class across grading hosts (no grading runs here)."""

from __future__ import annotations

import pytest

from dlcourse_grade import grade, gradebook


def test_a_url_with_a_password_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match=r"db_url: .*PGPASSWORD.*~/\.pgpass"):
        gradebook.check_db_url("postgresql+psycopg://grader:secret@db.example.edu/course")
    with pytest.raises(ValueError, match="db_url: 'not a url' is not a database URL"):
        gradebook.check_db_url("not a url")
    assert gradebook.check_db_url("postgresql+psycopg://grader@db.example.edu/course")


def test_the_course_gradebook_comes_from_the_option_then_the_config_then_sqlite(tmp_path):
    assert gradebook.course_db_url(tmp_path) == f"sqlite:///{tmp_path.resolve()}/.nbgrader/gradebook.db"
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.db_url = 'postgresql+psycopg://grader@db/course'\n"
    )
    assert gradebook.course_db_url(tmp_path) == "postgresql+psycopg://grader@db/course"
    assert gradebook.course_db_url(tmp_path, "sqlite:///other.db") == "sqlite:///other.db"
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.db_url = 'postgresql+psycopg://grader:pw@db/course'\n"
    )
    with pytest.raises(ValueError, match="password"):
        gradebook.course_db_url(tmp_path)


def test_a_grading_run_never_sees_the_database_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "secret")
    monkeypatch.setenv("PGPASSFILE", "/root/.pgpass")
    monkeypatch.setenv("DLCOURSE_GRADE_DB_URL", "postgresql+psycopg://grader@db/course")
    env = grade.private_environment(tmp_path)
    assert not [name for name in env if name.startswith(("PG", "DLCOURSE_GRADE_"))]
    assert "secret" not in env.values()
    assert grade.sqlite_gradebook_url(tmp_path) == f"sqlite:///{tmp_path}/.nbgrader/gradebook.db"


@pytest.mark.parametrize(
    "text, message",
    [
        ("1", "expected 'i/n'"),
        ("a/2", "expected 'i/n'"),
        ("2/2", "0 <= i < n"),
        ("-1/2", "0 <= i < n"),
        ("0/0", "0 <= i < n"),
    ],
)
def test_a_bad_shard_names_the_argument(text, message):
    with pytest.raises(ValueError, match=f"shard: .*{message}"):
        grade.parse_shard(text)


def test_shards_split_a_class_into_disjoint_parts_that_cover_it():
    students = [f"s{i:03d}" for i in range(300)]
    assert grade.parse_shard("1/3") == (1, 3)
    parts = [[s for s in students if grade.in_shard(s, (i, 3))] for i in range(3)]
    assert sorted(sum(parts, [])) == students  # every student in exactly one shard
    assert all(80 <= len(part) <= 120 for part in parts), [len(p) for p in parts]
    # by the id alone: a host that sees fewer submissions puts each in the same shard
    fewer = students[::7]
    assert [s for s in fewer if grade.in_shard(s, (1, 3))] == [s for s in parts[1] if s in fewer]


def test_results_are_stored_once_per_student_and_read_back_by_any_host(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    first = grade.Result("s1", "lab01", code_score=3.0, max_code_score=10.0, flags=["x"])
    gradebook.store_result(url, first)
    gradebook.store_result(url, grade.Result("s0", "lab01", status="timed-out", reason="too long"))
    regraded = grade.Result("s1", "lab01", code_score=10.0, max_code_score=10.0)
    gradebook.store_result(url, regraded)
    gradebook.store_result(url, grade.Result("s1", "lab02"))
    assert [r.student for r in gradebook.stored_results(url, "lab01")] == ["s0", "s1"]
    assert gradebook.stored_results(url, "lab01")[1] == regraded
