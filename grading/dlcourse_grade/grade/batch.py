"""Grading a lab's submissions as a batch: in parallel slots, each student's result recorded as soon as it is
graded, and the class split into shards that several hosts grade."""

from __future__ import annotations

import hashlib
import json
import queue
import shutil
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from ..worker import GradingWorker
from .isolation import FIRST_SANDBOX_UID, _template, private_dirs
from .outcome import Result
from .single import grade_one

__all__ = ["parse_shard", "in_shard", "autograde"]


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` as ``(i, n)`` with ``0 <= i < n``; ``ValueError`` naming ``shard`` otherwise.

    Parameters
    ----------
    text : str
        The shard as given on the command line, e.g. ``"0/2"``.

    Returns
    -------
    tuple of int
        ``(i, n)``.
    """
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"shard: expected 'i/n' such as '0/2', got {text!r}") from None
    if not 0 <= index < count:
        raise ValueError(f"shard: need 0 <= i < n in 'i/n', got {text!r}")
    return index, count


def in_shard(student: str, shard: tuple[int, int] | None) -> bool:
    """Whether ``student`` belongs to ``shard`` ``(i, n)`` (every student to ``None``).

    A student's shard is a hash of the student id, not a position in a list: every host computes
    the same split from the id alone, whatever submissions it sees, and a late submission does not
    move anybody else to another host.

    Parameters
    ----------
    student : str
        The student's id.
    shard : tuple of int, optional
        ``(i, n)``: the ``i``-th of ``n`` shards; ``None`` for the whole class.

    Returns
    -------
    bool
    """
    if shard is None:
        return True
    index, count = shard
    return int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big") % count == index


def autograde(
    course: Path,
    lab: str,
    *,
    students: list[str] | None = None,
    workers: int = 2,
    wall_time: float = 600,
    memory_mb: int = 6144,
    cell_timeout: int = 120,
    sandboxed: bool = True,
    file_mb: int = 256,
    processes: int = 256,
    db_url: str | None = None,
    shard: tuple[int, int] | None = None,
) -> list[Result]:
    """Grade the submissions of ``lab`` in parallel; every student ends with a :class:`Result`.

    Each kernel runs in the sandbox of :mod:`dlcourse_grade.sandbox`; without its tools this raises
    :class:`dlcourse_grade.sandbox.SandboxUnavailable` unless ``sandboxed=False`` is asked for explicitly.

    Each graded submission is recorded in the course gradebook, and every student's result (graded
    or not, with its flags) in the gradebook's results table, by this process, never by the grading
    run: ``db_url`` (:func:`dlcourse_grade.gradebook.course_db_url`) may name a server that several
    hosts share, each grading its ``shard`` ``(i, n)`` of the class (:func:`in_shard`).

    Parameters
    ----------
    course : pathlib.Path
        The course root (its ``nbgrader_config.py``, ``solutions/<lab>/`` and ``submitted/``).
    lab : str
        The assignment's name; the course gradebook must know it (``nbgrader generate_assignment``).
    students : list of str, optional
        Grade only these students; ``None`` grades every student with a submission of ``lab``.
    workers : int, default 2
        Submissions graded at once, each slot with a long-lived nbgrader process.
    wall_time : float, default 600
        Seconds each student's grading may take.
    memory_mb : int, default 6144
        Address-space limit of each slot's nbgrader process and of each kernel's processes, in MiB.
    cell_timeout : int, default 120
        Seconds each cell may run.
    sandboxed : bool, default True
        Run each kernel in the sandbox; ``False`` must be asked for explicitly.
    file_mb : int, default 256
        Largest file a sandboxed kernel may write, in MiB.
    processes : int, default 256
        Process limit of each sandboxed kernel's user.
    db_url : str, optional
        The course gradebook's URL; ``None`` takes the course's (:func:`dlcourse_grade.gradebook.course_db_url`).
    shard : tuple of int, optional
        ``(i, n)``: grade only the students of the ``i``-th of ``n`` shards (:func:`parse_shard`).

    Returns
    -------
    list of Result
        One per student graded, in the order of the students' ids. Each is also written to
        ``autograded/<student>/<lab>/result.json`` as soon as that student is graded.
    """
    from .. import gradebook  # here, not at the top: gradebook imports this module

    if sandboxed:
        from ..sandbox import require

        require()
    url = gradebook.course_db_url(course, db_url)
    gradebook.check_assignment(url, lab)
    submitted = course / "submitted"
    available = (
        sorted(p.name for p in submitted.iterdir() if (p / lab / f"{lab}.ipynb").exists()) if submitted.exists() else []
    )
    chosen = [s for s in available if (students is None or s in students) and in_shard(s, shard)]
    # hosts sharing a machine (shards of one class) interleave their user ids: no two kernels share one
    index, count = shard or (0, 1)
    uids = {student: FIRST_SANDBOX_UID + (i * count + index) % 4000 for i, student in enumerate(chosen)}
    gradebook_lock = threading.Lock()  # one writer at a time: the course gradebook may be one SQLite file
    with tempfile.TemporaryDirectory(prefix="dlcourse-grade-") as tmp:
        workdir = Path(tmp)
        template = _template(course, lab, workdir)

        slots = max(1, workers)
        idle: queue.SimpleQueue[GradingWorker] = queue.SimpleQueue()  # one nbgrader process per slot
        for _ in range(slots):
            idle.put(GradingWorker(memory_mb))

        def run(student: str) -> Result:
            worker = idle.get()
            try:
                result = grade_one(
                    course,
                    template,
                    lab,
                    student,
                    workdir=workdir,
                    wall_time=wall_time,
                    memory_mb=memory_mb,
                    cell_timeout=cell_timeout,
                    sandboxed=sandboxed,
                    uid=uids[student],
                    file_mb=file_mb,
                    processes=processes,
                    worker=worker,
                )
            except Exception as exc:  # one student's failure must not stop the batch
                result = Result(student, lab, status="failed", reason=f"{type(exc).__name__}: {exc}"[:300])
            finally:
                idle.put(worker)
            if result.status == "graded":
                try:
                    with gradebook_lock:
                        problem = gradebook.record_in_gradebook(course, lab, student, db_url=url)
                except Exception as exc:  # the grade stands in result.json either way
                    problem = f"{type(exc).__name__}: {exc}"[:300]
                if problem:
                    result.flags.append(f"not-in-gradebook: {problem}")
            # written now, not when the batch ends: an interrupted batch keeps every grade it reached
            out = course / "autograded" / student / lab
            out.mkdir(parents=True, exist_ok=True)
            (out / "result.json").write_text(json.dumps(asdict(result), indent=1))
            try:
                with gradebook_lock:
                    gradebook.store_result(url, result)
            except Exception as exc:  # result.json holds it; the report, read from the gradebook, will not
                print(
                    f"dlcourse-grade: {student}'s result is not in the gradebook's results table: "
                    f"{type(exc).__name__}: {exc}"[:400],
                    file=sys.stderr,
                )
            # and the private copy goes at once: a batch of 300 must not keep 300 copies (and what
            # each submission wrote into its copy) until the end
            for private in private_dirs(workdir, student):
                shutil.rmtree(private, ignore_errors=True)
            return result

        try:
            with ThreadPoolExecutor(max_workers=slots) as pool:
                results = list(pool.map(run, chosen))
        finally:
            for _ in range(slots):
                idle.get().close()
    return results
