"""Recording graded submissions in the nbgrader course gradebook (formgrader, manual grading, ``nbgrader export``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .grade import _errors

#: Where the executed notebooks wait for nbgrader to record them in the course gradebook.
EXECUTED = os.path.join(".nbgrader", "executed")


def recording_steps() -> dict:
    """nbgrader's autograde configured to score a notebook's outputs as they are.

    Its own preprocessors, less the two that would run or clear anything: ``ClearOutput`` in the
    sanitizing pass and ``Execute`` in the grading pass.
    """
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import ClearOutput, Execute

    defaults = Autograde.class_traits()
    return {"sanitize_preprocessors": [p for p in defaults["sanitize_preprocessors"].default() if p is not ClearOutput],
            "autograde_preprocessors": [p for p in defaults["autograde_preprocessors"].default() if p is not Execute]}


def nbgrader_api(course: Path, **settings):
    """nbgrader's own API on ``course``, configured by its ``nbgrader_config.py`` plus ``settings``
    (``{"Autograde": {"create_student": True}}``): the apps the ``nbgrader`` commands run, in this process."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.merge(Config(settings))
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def record_in_gradebook(course: Path, lab: str, student: str) -> str | None:
    """Record a graded submission in the course gradebook; ``None`` on success, else why not.

    The notebook that the sandbox executed (``autograded/<student>/<lab>/``) is given to nbgrader's
    own autograde with its executing and clearing steps removed: nbgrader scores the outputs as
    they are and writes the submission, its per-cell grades and the cells still to grade by hand
    into ``.nbgrader/gradebook.db`` — so formgrader shows it, manual grading works and ``nbgrader
    export`` includes it. No student code runs in this step. Re-recording replaces the previous
    record of the same submission.
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

        api = nbgrader_api(course, CourseDirectory={"submitted_directory": EXECUTED}, Autograde=recording_steps())
        with warnings.catch_warnings():  # nbgrader's own session use warns; the caller holds the lock
            warnings.simplefilter("ignore", SAWarning)
            outcome = api.autograde(lab, student, force=True, create=True)
        problem = None if outcome["success"] else \
            f"nbgrader could not record it: {_errors(outcome.get('log') or outcome.get('error') or '')}"
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


