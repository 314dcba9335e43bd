"""Grading one submission: nbgrader's autograde in a private copy of the course, its kernel in the sandbox, the
graded notebook and log written back to the course."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat

from ..worker import GradingWorker, WorkerTimeout
from .isolation import (
    FIRST_SANDBOX_UID,
    private_dirs,
    private_environment,
    sandbox_environment,
    sqlite_gradebook_url,
)
from .outcome import Result, _errors, _read_scores, verify_checks_ran
from .submission import _prepare

__all__ = ["grade_one"]


def grade_one(
    course: Path,
    template: Path,
    lab: str,
    student: str,
    *,
    workdir: Path,
    wall_time: float,
    memory_mb: int,
    cell_timeout: int,
    sandboxed: bool = True,
    uid: int = FIRST_SANDBOX_UID,
    file_mb: int = 256,
    processes: int = 256,
    worker: GradingWorker | None = None,
) -> Result:
    """Autograde one student's submission in a private copy of the course, its kernel in the sandbox.

    nbgrader runs in ``worker`` (a long-lived :class:`~dlcourse_grade.worker.GradingWorker` of the
    batch), or in a worker of its own that ends with this call.

    Parameters
    ----------
    course : pathlib.Path
        The course root: the submission is read from ``submitted/<student>/<lab>/``, the graded notebook and
        ``autograde.log`` are written to ``autograded/<student>/<lab>/``.
    template : pathlib.Path
        The batch's private course template (the lab's source, its release generated, a fresh gradebook).
    lab : str
        The assignment's name.
    student : str
        The student's id.
    workdir : pathlib.Path
        The batch's temporary directory, where the student's private directories (:func:`private_dirs`) and
        log are made.
    wall_time : float
        Seconds the whole grading may take; past them it is stopped and the result is ``"timed-out"``.
    memory_mb : int
        Address-space limit, in MiB, of the kernel's processes (sandboxed) and of a worker of its own.
    cell_timeout : int
        Seconds each cell may run (nbgrader's ``Execute.timeout``).
    sandboxed : bool, default True
        Run the kernel in the sandbox; ``False`` runs it unconfined, under the resilient kernel manager.
    uid : int, default FIRST_SANDBOX_UID
        The user id of the sandboxed kernel when the grader runs as root.
    file_mb : int, default 256
        Largest file the sandboxed kernel may write, in MiB.
    processes : int, default 256
        Process limit of the sandboxed kernel's user.
    worker : GradingWorker, optional
        The batch's nbgrader process to grade in; ``None`` starts one for this call.

    Returns
    -------
    Result
        ``"graded"`` with the scores, flags and seconds, or ``"invalid-notebook"``, ``"timed-out"`` or
        ``"failed"`` with the reason.
    """
    start = time.perf_counter()
    result = Result(student, lab)
    release = nbformat.read(template / "labs" / lab / f"{lab}.ipynb", as_version=4)
    submitted = course / "submitted" / student / lab / f"{lab}.ipynb"
    nb = _prepare(submitted, release, result)
    if nb is None:
        result.seconds = time.perf_counter() - start
        return result
    private, home, runtime = private_dirs(workdir, student)
    shutil.copytree(template, private)
    target = private / "submitted" / student / lab
    target.mkdir(parents=True)
    nbformat.write(nb, target / f"{lab}.ipynb")
    env = private_environment(home)
    if sandboxed:
        env.update(
            sandbox_environment(
                template,
                lab,
                runtime,
                uid=uid,
                memory_mb=memory_mb,
                file_mb=file_mb,
                processes=processes,
                wall_time=wall_time,
            )
        )
    # the sandbox's manager, or (unsandboxed) the course's resilient client, also for a course whose
    # nbgrader_config.py predates it (grading/dlcourse_grade/kernel_client.py)
    manager = (
        "dlcourse_grade.sandbox.SandboxedKernelManager"
        if sandboxed
        else "dlcourse_grade.kernel_client.ResilientKernelManager"
    )
    settings = {
        "Execute": {"timeout": cell_timeout, "kernel_manager_class": manager},
        "CourseDirectory": {"db_url": sqlite_gradebook_url(private)},
    }
    log_path = workdir / f"log_{student}.txt"
    own_worker = worker is None
    worker = GradingWorker(memory_mb) if own_worker else worker
    try:
        answer = worker.autograde(
            private, lab, student, env=env, settings=settings, log_path=log_path, wall_time=wall_time
        )
    except WorkerTimeout:
        result.status, result.reason = "timed-out", f"grading took longer than {wall_time:.0f} s and was stopped"
        result.seconds = time.perf_counter() - start
        return result
    finally:
        if own_worker:
            worker.close()
    output = log_path.read_text(errors="replace") if log_path.exists() else ""
    log_path.unlink(missing_ok=True)
    log = "\n".join(part for part in (answer.get("log", ""), answer.get("error", ""), output) if part)
    out_dir = course / "autograded" / student / lab
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "autograde.log").write_text(log)
    autograded = private / "autograded" / student / lab / f"{lab}.ipynb"
    if autograded.exists():
        _read_scores(private, lab, student, result, log)
        graded_nb = nbformat.read(autograded, as_version=4)
        source = nbformat.read(template / "solutions" / lab / f"{lab}.ipynb", as_version=4)
        verify_checks_ran(graded_nb, source, result)
        nbformat.write(graded_nb, out_dir / f"{lab}.ipynb")
    else:  # nbgrader gave up on this notebook; its partial zeros must not pass for a grade
        result.status, result.reason = "failed", f"nbgrader produced no graded notebook: {_errors(log)}"
    result.seconds = time.perf_counter() - start
    return result
