"""``dlcourse-grade autograde``: each submission graded by nbgrader in a private course, its kernel in the sandbox."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .integrity import scan_submission
from .worker import GradingWorker, WorkerTimeout


@dataclass
class Result:
    student: str
    lab: str
    status: str = "graded"  # graded | invalid-notebook | timed-out | failed
    reason: str = ""
    code_score: float = 0.0
    max_code_score: float = 0.0
    needs_manual_grade: bool = False
    cells: dict = field(default_factory=dict)
    flags: list = field(default_factory=list)
    seconds: float = 0.0


def sqlite_gradebook_url(course: Path) -> str:
    """The URL of the SQLite gradebook kept in ``course`` (``.nbgrader/gradebook.db``, nbgrader's default).

    A private course always grades into its own, whatever gradebook the course uses: a course that
    grades into a database server must not hand that server's address (or the rights to it) to a
    student's grading, and each student's scores are read back from this file.
    """
    return f"sqlite:///{course / '.nbgrader' / 'gradebook.db'}"


def _template(course: Path, lab: str, workdir: Path) -> Path:
    """A private course with only the lab's source and a fresh gradebook, the assignment generated."""
    template = workdir / "template"
    template.mkdir()
    shutil.copy(course / "nbgrader_config.py", template)
    shutil.copytree(course / "solutions" / lab, template / "solutions" / lab)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "generate_assignment",
            lab,
            "--force",
            f"--CourseDirectory.db_url={sqlite_gradebook_url(template)}",
        ],
        cwd=template,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return template


def _prepare(notebook_path: Path, release: nbformat.NotebookNode, result: Result) -> nbformat.NotebookNode | None:
    """Read and repair what can be repaired before nbgrader sees the notebook."""
    try:
        nb = nbformat.read(notebook_path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # any unreadable file ends as a clear status, never as a crash
        result.status, result.reason = "invalid-notebook", f"not a valid notebook: {type(exc).__name__}: {exc}"[:300]
        return None
    released_ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in release.cells} - {None}
    seen = set()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is None:
            continue
        if grade_id in seen:  # a duplicated cell would stop nbgrader: keep the first as graded
            cell.metadata.pop("nbgrader")
            result.flags.append(f"duplicated-cell: a second cell with grade_id {grade_id!r} was ignored for grading")
        seen.add(grade_id)
    missing = released_ids - seen
    if missing:
        restored = restore_metadata(nb, release)
        result.flags.append(
            f"metadata-missing: {len(missing)} graded cell(s) had no nbgrader metadata "
            f"({', '.join(sorted(missing)[:4])}{', …' if len(missing) > 4 else ''}); {restored} "
            "restored by matching the release, deleted test cells are re-added: review the answers"
        )
    result.flags += [str(f) for f in scan_submission(nb, release)]
    return nb


def restore_metadata(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> int:
    """Give cells that lost their nbgrader metadata (a copy into a new notebook) their identity back.

    The cells are aligned with the release's by their sources: an unchanged cell takes its
    released twin's metadata; a changed cell standing where a released *answer* cell stands (the
    same number of changed cells between the same unchanged neighbours, same cell type) takes
    that answer cell's metadata. Returns how many cells were restored.
    """
    import difflib

    ids_present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}
    matcher = difflib.SequenceMatcher(
        a=[c.source for c in release.cells], b=[c.source for c in nb.cells], autojunk=False
    )
    restored = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag not in ("equal", "replace") or (tag == "replace" and i2 - i1 != j2 - j1):
            continue
        for old, new in zip(release.cells[i1:i2], nb.cells[j1:j2]):
            meta = old.metadata.get("nbgrader")
            if (
                not meta
                or "nbgrader" in new.metadata
                or meta["grade_id"] in ids_present
                or old.cell_type != new.cell_type
                or (tag == "replace" and not meta.get("solution"))
            ):
                continue
            new.metadata["nbgrader"] = json.loads(json.dumps(meta))
            ids_present.add(meta["grade_id"])
            restored += 1
    return restored


def isolated_home(home: Path) -> dict[str, str]:
    """Environment variables that give a process (and the kernels it starts) ``home`` as its home.

    Kernels keep state in the home directory that the next kernel reads: IPython's profile (its
    ``startup/`` scripts run in every later kernel, and its history database is shared by all
    kernels at once), matplotlib's cache, the user's site-packages. The directories are created.
    """
    for sub in (".ipython", ".config/matplotlib", ".cache", ".local/share"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "IPYTHONDIR": str(home / ".ipython"),
        "MPLCONFIGDIR": str(home / ".config/matplotlib"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "PYTHONUSERBASE": str(home / ".local"),
    }


#: The prefixes of the environment variables that a grading run never sees, those of the database
#: client (``PGPASSWORD``, ``PGPASSFILE``, ``PGHOST``, …) and the grading tool's own settings.
WITHHELD_PREFIXES = ("PG", "DLCOURSE_GRADE_")


def private_environment(home: Path) -> dict[str, str]:
    """The environment of one grading run: the instructor's, with a home of its own (:func:`isolated_home`)
    and without the gradebook server's credentials (:data:`WITHHELD_PREFIXES`).

    A submission that writes into the home directory must not reach the next student's grading.
    Jupyter's data directory stays the instructor's, so kernels are found exactly as before.
    """
    from jupyter_core.paths import jupyter_data_dir

    kept = {name: value for name, value in os.environ.items() if not name.startswith(WITHHELD_PREFIXES)}
    return {
        **kept,
        "DLCOURSE_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "JUPYTER_DATA_DIR": os.environ.get("JUPYTER_DATA_DIR", jupyter_data_dir()),
        **isolated_home(home),
    }


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` as ``(i, n)`` with ``0 <= i < n``; ``ValueError`` naming ``shard`` otherwise."""
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
    """
    if shard is None:
        return True
    index, count = shard
    return int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big") % count == index


def private_dirs(workdir: Path, student: str) -> tuple[Path, Path, Path]:
    """The student's private copy of the course, private home and sandbox runtime directory under ``workdir``."""
    return workdir / f"student_{student}", workdir / f"home_{student}", workdir / f"kernel_{student}"


#: Sandboxed kernels of a root grader run as user ids from here on, one per student of the batch.
FIRST_SANDBOX_UID = 61000


def sandbox_environment(
    template: Path, lab: str, runtime: Path, *, uid: int, memory_mb: int, file_mb: int, processes: int, wall_time: float
) -> dict[str, str]:
    """What nbgrader needs to run this student's kernel in the sandbox (:mod:`dlcourse_grade.sandbox`)."""
    from . import sandbox

    release = template / "labs" / lab
    data = tuple(str(p) for p in sorted(release.iterdir()) if p.name != f"{lab}.ipynb")
    spec = sandbox.SandboxSpec(
        runtime=str(runtime),
        data=data,
        memory_mb=memory_mb,
        file_mb=file_mb,
        processes=processes,
        cpu_seconds=max(1, int(wall_time)),
        uid=uid,
        read_only=sandbox.python_directories(),
    )
    return {sandbox.ENV_VAR: spec.to_json()}


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


_KNOWN_FAILURES = {
    "DeadKernelError": "the kernel died while running the notebook (it crashed Python, e.g. os._exit or a segfault)",
    "CellTimeoutError": "a cell ran past the per-cell time limit and the kernel did not answer the interrupt "
    "(code that ignores SIGINT?)",
    "MemoryError": "the notebook ran out of memory",
}


def _errors(log: str) -> str:
    """A readable reason from nbgrader's log: a known failure in words, else the error lines."""
    for marker, explanation in _KNOWN_FAILURES.items():
        if marker in log:
            return explanation
    lines = [line for line in log.splitlines() if "ERROR" in line or "Error" in line]
    return (" | ".join(lines) or log)[-400:]


def _output_text(output: dict) -> str:
    """Everything an output shows as text: stream text, error value and traceback, every data format."""
    parts = [
        output.get("text", ""),
        output.get("evalue", ""),
        *output.get("traceback", []),
        *output.get("data", {}).values(),
    ]
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts if isinstance(p, (str, list)))


_SUMMARY = re.compile(r"^All (\d+) check\(s\) passed\.$", re.M)


def verify_checks_ran(graded: nbformat.NotebookNode, source: nbformat.NotebookNode, result: Result) -> list[str]:
    """Zero every test cell that earned points although its checks did not report running.

    nbgrader gives a test cell its points when it ends without an error, so a submission that
    rewrites later cells before they run (an IPython input transformer, an AST transformer) could
    turn the tests into ``pass`` and score full marks. A test cell whose source uses the course's
    ``Checker`` always prints ``All N check(s) passed.`` when it passes, with one ``✔`` line per
    check; a passing cell without that summary did not run its checks. The same holds for a visible
    test cell that calls a part's check of :mod:`dlcourse.labs` (``lab01.part_a(relu, ...)``): the
    check runs a ``Checker``, so a cell whose call printed no summary (the submission replaced
    ``lab01.part_a``, say) did not run it either. Such a cell gets an error output (so nbgrader,
    recording the notebook, scores it 0 too), its points are removed from ``result`` and the
    submission is flagged ``checks-did-not-run``. Returns the cells' grade_ids.
    """
    calls_a_part = re.compile(r"\blab\d+\s*\.\s*part_[a-z]+\s*\(")  # lab01.part_a(...), labs.lab01.part_a(...)
    uses_checker = {
        c.metadata["nbgrader"]["grade_id"]
        for c in source.cells
        if "nbgrader" in c.metadata
        and c.metadata["nbgrader"].get("grade")
        and ("Checker(" in c.source or calls_a_part.search(c.source))
    }
    zeroed = []
    for cell in graded.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in uses_checker or not result.cells.get(grade_id):
            continue
        text = "".join(_output_text(o) for o in cell.get("outputs", []))
        claimed = sum(int(n) for n in _SUMMARY.findall(text))
        if _SUMMARY.search(text) and 0 < claimed <= text.count("\u2714"):
            continue
        cell.setdefault("outputs", []).append(
            nbformat.v4.new_output(
                "error",
                ename="ChecksDidNotRun",
                evalue="this test cell earned points but its checks never reported; something rewrote it before it ran",
                traceback=[],
            )
        )
        result.code_score -= result.cells[grade_id]
        result.cells[grade_id] = 0.0
        zeroed.append(grade_id)
    if zeroed:
        result.flags.append(
            f"checks-did-not-run: {', '.join(zeroed)} passed without running their checks "
            "(scored 0): look for code that rewrites cells (IPython transformers, hooks)"
        )
    return zeroed


def _read_scores(private: Path, lab: str, student: str, result: Result, log: str) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    try:
        with Gradebook(sqlite_gradebook_url(private)) as gb:
            submission = gb.find_submission(lab, student)
            result.code_score = float(submission.code_score)
            result.max_code_score = float(submission.max_code_score)
            result.needs_manual_grade = bool(submission.needs_manual_grade)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    result.cells[grade.name] = None if grade.score is None else float(grade.score)
    except MissingEntry:
        result.status, result.reason = "failed", f"nbgrader recorded no grade: {_errors(log)}"


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
    """
    from . import gradebook  # here, not at the top: gradebook imports this module

    if sandboxed:
        from .sandbox import require

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
