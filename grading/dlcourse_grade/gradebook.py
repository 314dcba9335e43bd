"""The course gradebook: graded submissions recorded for formgrader, manual grading and ``nbgrader export``,
and each student's grading result, for reports that agree across grading hosts.

The gradebook is nbgrader's: ``.nbgrader/gradebook.db`` in the course (SQLite, one machine), or a
database server that several grading hosts share (``--db-url``, or ``c.CourseDirectory.db_url`` in
``nbgrader_config.py``), e.g. ``postgresql+psycopg://grader@db.example.edu/course`` with the ``postgres``
extra. A URL never carries a password: the driver reads it from ``PGPASSWORD`` or ``~/.pgpass`` of the
instructor's account, neither of which a sandboxed kernel can see.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from .grade import Result, _errors, sqlite_gradebook_url

__all__ = [
    "EXECUTED",
    "RESULTS_TABLE",
    "course_db_url",
    "check_db_url",
    "check_assignment",
    "recording_steps",
    "nbgrader_api",
    "record_in_gradebook",
    "store_result",
    "stored_results",
]

#: Where the executed notebooks wait for nbgrader to record them in the course gradebook.
EXECUTED = os.path.join(".nbgrader", "executed")


#: The table, beside nbgrader's own, that holds each student's grading result (status, reason, flags, scores).
RESULTS_TABLE = "dlcourse_grade_results"


def check_db_url(url: str) -> str:
    """``url`` if it is a database URL without a password; else a ``ValueError`` saying what to do.

    Parameters
    ----------
    url : str
        An SQLAlchemy database URL, e.g. ``postgresql+psycopg://grader@db.example.edu/course``. One that does
        not parse, or that holds a password, raises ``ValueError``.

    Returns
    -------
    str
        ``url`` unchanged.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError(f"db_url: {url!r} is not a database URL ({exc})") from None
    if parsed.password is not None:
        raise ValueError(
            "db_url: the URL contains a password; give the URL without it and put the password in "
            "the environment (PGPASSWORD) or in ~/.pgpass of the instructor's account, where no "
            "sandboxed kernel and no file of the course can show it"
        )
    return url


def course_db_url(course: Path, db_url: str | None = None) -> str:
    """The course gradebook's URL: ``db_url`` if given, else ``c.CourseDirectory.db_url`` of the course's
    ``nbgrader_config.py``, else nbgrader's default, ``.nbgrader/gradebook.db`` in the course.

    Parameters
    ----------
    course : pathlib.Path
        The course root.
    db_url : str, optional
        The gradebook's URL, checked by :func:`check_db_url` (as is one from ``nbgrader_config.py``).

    Returns
    -------
    str
        The URL. For the default SQLite gradebook the ``.nbgrader`` folder is created if missing.
    """
    if db_url is None:
        from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

        try:
            config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
            db_url = config.CourseDirectory.get("db_url") or None
        except ConfigFileNotFound:
            pass
    if db_url is None:
        (course / ".nbgrader").mkdir(exist_ok=True)
        return sqlite_gradebook_url(course.resolve())
    return check_db_url(db_url)


def check_assignment(db_url: str, lab: str) -> None:
    """Raise ``ValueError`` unless the gradebook knows ``lab`` (its cells are recorded by
    ``nbgrader generate_assignment``, which grading needs to score a notebook).

    Parameters
    ----------
    db_url : str
        The gradebook's URL.
    lab : str
        The assignment's name, e.g. ``"lab01"``.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            gb.find_assignment(lab)
        except MissingEntry:
            raise ValueError(
                f"lab: the gradebook at {db_url} has no assignment {lab!r}; release it into this "
                f"gradebook once, before grading: nbgrader generate_assignment {lab} "
                f"--CourseDirectory.db_url={db_url}"
            ) from None


def recording_steps() -> dict:
    """nbgrader's autograde configured to score a notebook's outputs as they are.

    Its own preprocessors, less the two that would run or clear anything: ``ClearOutput`` in the
    sanitizing pass and ``Execute`` in the grading pass.

    Returns
    -------
    dict
        Settings for nbgrader's ``Autograde``: ``"sanitize_preprocessors"`` and ``"autograde_preprocessors"``,
        each a list of preprocessor classes.
    """
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import ClearOutput, Execute

    defaults = Autograde.class_traits()
    return {
        "sanitize_preprocessors": [p for p in defaults["sanitize_preprocessors"].default() if p is not ClearOutput],
        "autograde_preprocessors": [p for p in defaults["autograde_preprocessors"].default() if p is not Execute],
    }


def nbgrader_api(course: Path, **settings):
    """nbgrader's own API on ``course``, configured by its ``nbgrader_config.py`` plus ``settings``
    (``{"Autograde": {"create_student": True}}``): the apps the ``nbgrader`` commands run, in this process.

    Parameters
    ----------
    course : pathlib.Path
        The course root; it must hold ``nbgrader_config.py``.
    **settings
        Configuration sections merged over the file's, ``{class name: {trait: value}}``.

    Returns
    -------
    nbgrader.apps.NbGraderAPI
        The API, its course directory and configuration set.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.merge(Config(settings))
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def record_in_gradebook(course: Path, lab: str, student: str, db_url: str | None = None) -> str | None:
    """Record a graded submission in the course gradebook (``db_url``: :func:`course_db_url`); ``None`` on
    success, else why not.

    The notebook that the sandbox executed (``autograded/<student>/<lab>/``) is given to nbgrader's
    own autograde with its executing and clearing steps removed: nbgrader scores the outputs as
    they are and writes the submission, its per-cell grades and the cells still to grade by hand
    into the gradebook — so formgrader shows it, manual grading works and ``nbgrader
    export`` includes it. No student code runs in this step. Re-recording replaces the previous
    record of the same submission.

    Parameters
    ----------
    course : pathlib.Path
        The course root.
    lab : str
        The assignment's name.
    student : str
        The student's id.
    db_url : str, optional
        The gradebook's URL; ``None`` uses :func:`course_db_url`'s default.

    Returns
    -------
    str or None
        ``None`` if the submission was recorded, else the reason it was not (the graded folder is then
        left as it was).
    """
    graded = course / "autograded" / student / lab
    staging = course / EXECUTED / student / lab
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copy(graded / f"{lab}.ipynb", staging / f"{lab}.ipynb")
    timestamp = course / "submitted" / student / lab / "timestamp.txt"
    if timestamp.exists():
        shutil.copy(timestamp, staging)
    backup = graded.with_name(f"{lab}.dlcourse-grade")
    shutil.rmtree(backup, ignore_errors=True)
    shutil.move(graded, backup)  # nbgrader writes its (identical) output here; ours is restored if it fails
    try:
        import warnings

        from sqlalchemy.exc import SAWarning

        api = nbgrader_api(
            course,
            CourseDirectory={"submitted_directory": EXECUTED, "db_url": course_db_url(course, db_url)},
            Autograde=recording_steps(),
        )
        with warnings.catch_warnings():  # nbgrader's own session use warns; the caller holds the lock
            warnings.simplefilter("ignore", SAWarning)
            outcome = api.autograde(lab, student, force=True, create=True)
        problem = (
            None
            if outcome["success"]
            else f"nbgrader could not record it: {_errors(outcome.get('log') or outcome.get('error') or '')}"
        )
    except Exception as exc:
        problem = f"nbgrader could not record it: {type(exc).__name__}: {exc}"[:300]
    finally:
        shutil.rmtree(staging.parent, ignore_errors=True)
    if problem:
        shutil.rmtree(graded, ignore_errors=True)
        shutil.move(backup, graded)
        return problem
    for path in backup.iterdir():  # what nbgrader does not write back (autograde.log, result.json)
        if not (graded / path.name).exists():
            shutil.move(path, graded / path.name)
    shutil.rmtree(backup, ignore_errors=True)
    return None


@contextlib.contextmanager
def _results_table(db_url: str):
    """An engine on ``db_url`` and the results table (created if missing), the engine closed afterwards."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    metadata = sa.MetaData()
    table = sa.Table(
        RESULTS_TABLE,
        metadata,
        sa.Column("lab", sa.String(128), primary_key=True),
        sa.Column("student", sa.String(128), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    try:
        try:
            metadata.create_all(engine)
        except sa.exc.IntegrityError:  # two hosts created it at the same moment: it exists now
            pass
        yield engine, table
    finally:
        engine.dispose()


def store_result(db_url: str, result: Result) -> None:
    """Write (or replace) ``result`` in the gradebook's results table: re-grading a student is idempotent.

    Parameters
    ----------
    db_url : str
        The gradebook's URL; the results table is created there if missing.
    result : dlcourse_grade.grade.Result
        The student's grading result, stored as JSON with this host's name and the time.
    """
    with _results_table(db_url) as (engine, table), engine.begin() as conn:
        conn.execute(table.delete().where(table.c.lab == result.lab, table.c.student == result.student))
        conn.execute(
            table.insert().values(
                lab=result.lab,
                student=result.student,
                host=socket.gethostname(),
                graded_at=datetime.now(timezone.utc),
                result=json.dumps(asdict(result)),
            )
        )


def stored_results(db_url: str, lab: str) -> list[Result]:
    """Every student's latest result for ``lab`` in the gradebook, whichever host graded it, by student id.

    Parameters
    ----------
    db_url : str
        The gradebook's URL.
    lab : str
        The assignment's name.

    Returns
    -------
    list of dlcourse_grade.grade.Result
        One result per student, sorted by student id.
    """
    with _results_table(db_url) as (engine, table), engine.connect() as conn:
        rows = conn.execute(
            table.select().with_only_columns(table.c.result).where(table.c.lab == lab).order_by(table.c.student)
        )
        return [Result(**json.loads(row.result)) for row in rows]
