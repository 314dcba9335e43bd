"""``dlcourse-grade``: collect, autograde, report and give feedback on lab submissions, safely.

nbgrader used as it comes runs every student's code in the instructor's course, with the
instructor's privileges, one notebook after another, and stops or mis-grades on hostile or
merely odd submissions. This command wraps it so that a batch always finishes:

``collect SRC``
    Take a folder or a zip of downloaded submissions (LMS exports with student ids in the file
    names, "Copy of …" names from Colab, nested folders) and place each as
    ``submitted/<student>/<lab>/<lab>.ipynb``. What cannot be matched is reported, not guessed.
``autograde LAB``
    Grade every submission (or ``--students``) with ``--workers`` parallel workers. Each
    student is graded by its own ``nbgrader autograde`` process in a private copy of the
    course (its own gradebook), and the student's kernel runs in the sandbox of
    :mod:`dlcourse_grade.sandbox` (bubblewrap: own PID and network namespaces, nothing of the course
    on its filesystem, limits on memory, processes, file size and CPU time; refused without
    bubblewrap unless ``--unsafe-no-sandbox``). Each cell is limited to ``--cell-timeout``
    seconds and the whole run to ``--wall-time``. Invalid JSON, duplicated or stripped nbgrader
    metadata are detected before grading. The static integrity scan (:mod:`dlcourse_grade.integrity`)
    flags submissions for manual review. Each student's result is written to
    ``autograded/<student>/<lab>/result.json`` as soon as it is graded, and the graded submission
    is recorded in the course gradebook (:func:`record_in_gradebook`) for formgrader, manual
    grading and ``nbgrader export``.
``report LAB``
    ``reports/<LAB>.csv``: one row per student (status, score, score per graded cell, flags),
    and a summary of who failed to grade and why and who is flagged.
``feedback LAB``
    ``feedback/<student>/<LAB>/<LAB>.html`` per student, with the source and tracebacks of
    hidden test cells removed: only their points and the checks' one-line messages remain.

The course root is found explicitly (``--course``, default: the current directory, which must
hold ``nbgrader_config.py``). The threat model is in the book's instructor guide.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .integrity import scan_submission

HIDDEN_MARK = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
STUDENT_ID = re.compile(r"[^a-z0-9_.-]+")


# --------------------------------------------------------------------------- course
def find_course(course: str | os.PathLike | None) -> Path:
    """The course root: a folder holding ``nbgrader_config.py``."""
    root = Path(course or ".").resolve()
    if not (root / "nbgrader_config.py").exists():
        raise FileNotFoundError(f"course={str(root)!r} has no nbgrader_config.py; pass --course COURSE_ROOT")
    return root


def known_labs(root: Path) -> list[str]:
    """Labs with a source notebook ``solutions/<lab>/<lab>.ipynb``."""
    return sorted(p.name for p in (root / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())


# --------------------------------------------------------------------------- collect
@dataclass
class Placement:
    source: str
    student: str | None = None
    lab: str | None = None
    target: str | None = None
    problem: str | None = None


def _normalise(name: str) -> str:
    name = re.sub(r"^(copy of\s+)+", "", name.strip().lower())
    name = re.sub(r"\s*\(\d+\)$", "", name)  # "lab (1)" from repeated downloads
    return re.sub(r"[\s\-]+", "_", name)


def _student_id(text: str) -> str:
    text = re.sub(r"_assignsubmission_.*$", "", text.strip().lower())  # Moodle folder names
    return STUDENT_ID.sub("_", text).strip("_.-")


def match_submission(path: Path, src_root: Path, labs: list[str]) -> Placement:
    """Which student and lab a downloaded notebook belongs to (see :func:`collect` for the rules)."""
    placement = Placement(str(path.relative_to(src_root)))
    stem = _normalise(path.stem)
    lab = next((lab for lab in sorted(labs, key=len, reverse=True) if lab in stem), None)
    folders = [_normalise(p) for p in path.relative_to(src_root).parts[:-1]]
    if lab is None:
        lab = next((lab for lab in labs for f in folders if lab in f), None)
    if lab is None:
        placement.problem = "no lab name in the file name or its folders"
        return placement
    placement.lab = lab
    prefix = stem.split(lab)[0].strip("_")
    if prefix:
        student = _student_id(prefix.split("_")[0])
    else:
        candidates = [f for f in reversed(folders) if lab not in f and f not in ("submitted", "submissions")]
        student = _student_id(candidates[0]) if candidates else ""
    if not student:
        placement.problem = "cannot tell which student: no id before the lab name and no student folder"
        return placement
    placement.student = student
    return placement


def collect(src: str | os.PathLike, course: Path) -> list[Placement]:
    """Place the notebooks found in ``src`` (a folder or a zip) into ``course/submitted``.

    Rules: the lab is the known lab name found in the normalised file name (``Copy of`` and
    ``(1)`` removed), else in a folder name; the student is the first ``_``-separated token
    before the lab name in the file name (LMS exports: ``jdoe_12345_lab01_activations.ipynb``),
    else the nearest folder that is not a lab folder (``jdoe/lab01_activations.ipynb``,
    Moodle's ``Jane Doe_123_assignsubmission_file_/``). Two files for the same student and lab:
    the most recently modified is kept and the other reported.
    """
    src = Path(src)
    labs = known_labs(course)
    with tempfile.TemporaryDirectory() as tmp:
        if zipfile.is_zipfile(src):
            with zipfile.ZipFile(src) as archive:
                for member in archive.infolist():
                    target = (Path(tmp) / member.filename).resolve()
                    if Path(tmp).resolve() not in target.parents:  # no "../" escapes from a zip
                        continue
                    archive.extract(member, tmp)
            root = Path(tmp)
        elif src.is_dir():
            root = src
        else:
            raise FileNotFoundError(f"src={str(src)!r} is neither a folder nor a zip file")
        found = sorted(p for p in root.rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in p.parts and "__MACOSX" not in p.parts)
        placements = [match_submission(p, root, labs) for p in found]
        chosen: dict[tuple[str, str], tuple[Placement, Path]] = {}
        for placement, path in zip(placements, found):
            if placement.problem:
                continue
            key = (placement.student, placement.lab)
            if key in chosen:
                other, other_path = chosen[key]
                newer, older = ((placement, path), (other, other_path)) \
                    if path.stat().st_mtime >= other_path.stat().st_mtime else ((other, other_path), (placement, path))
                older[0].problem = f"another submission for {key[0]}/{key[1]} is newer: {newer[0].source}"
                chosen[key] = newer
            else:
                chosen[key] = (placement, path)
        for (student, lab), (placement, path) in chosen.items():
            target = course / "submitted" / student / lab / f"{lab}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            placement.target = str(target.relative_to(course))
    return placements


# --------------------------------------------------------------------------- autograde
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


def _template(course: Path, lab: str, workdir: Path) -> Path:
    """A private course with only the lab's source and a fresh gradebook, the assignment generated."""
    template = workdir / "template"
    template.mkdir()
    shutil.copy(course / "nbgrader_config.py", template)
    shutil.copytree(course / "solutions" / lab, template / "solutions" / lab)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force"], cwd=template,
                   check=True, capture_output=True, text=True, timeout=600)
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
        result.flags.append(f"metadata-missing: {len(missing)} graded cell(s) had no nbgrader metadata "
                            f"({', '.join(sorted(missing)[:4])}{', …' if len(missing) > 4 else ''}); {restored} "
                            "restored by matching the release, deleted test cells are re-added: review the answers")
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
    matcher = difflib.SequenceMatcher(a=[c.source for c in release.cells], b=[c.source for c in nb.cells],
                                      autojunk=False)
    restored = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag not in ("equal", "replace") or (tag == "replace" and i2 - i1 != j2 - j1):
            continue
        for old, new in zip(release.cells[i1:i2], nb.cells[j1:j2]):
            meta = old.metadata.get("nbgrader")
            if not meta or "nbgrader" in new.metadata or meta["grade_id"] in ids_present \
                    or old.cell_type != new.cell_type or (tag == "replace" and not meta.get("solution")):
                continue
            new.metadata["nbgrader"] = json.loads(json.dumps(meta))
            ids_present.add(meta["grade_id"])
            restored += 1
    return restored


def _limit_memory(memory_mb: int):
    def apply():  # runs in the child before exec; inherited by nbgrader's kernel
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def isolated_home(home: Path) -> dict[str, str]:
    """Environment variables that give a process (and the kernels it starts) ``home`` as its home.

    Kernels keep state in the home directory that the next kernel reads: IPython's profile (its
    ``startup/`` scripts run in every later kernel, and its history database is shared by all
    kernels at once), matplotlib's cache, the user's site-packages. The directories are created.
    """
    for sub in (".ipython", ".config/matplotlib", ".cache", ".local/share"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return {"HOME": str(home), "IPYTHONDIR": str(home / ".ipython"), "MPLCONFIGDIR": str(home / ".config/matplotlib"),
            "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"), "PYTHONUSERBASE": str(home / ".local")}


def private_environment(home: Path) -> dict[str, str]:
    """The environment of one grading run: the instructor's, with a home of its own (:func:`isolated_home`).

    A submission that writes into the home directory must not reach the next student's grading.
    Jupyter's data directory stays the instructor's, so kernels are found exactly as before.
    """
    from jupyter_core.paths import jupyter_data_dir

    return {**os.environ, "DLCOURSE_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
            "JUPYTER_DATA_DIR": os.environ.get("JUPYTER_DATA_DIR", jupyter_data_dir()), **isolated_home(home)}


def private_dirs(workdir: Path, student: str) -> tuple[Path, Path, Path]:
    """The student's private copy of the course, private home and sandbox runtime directory under ``workdir``."""
    return workdir / f"student_{student}", workdir / f"home_{student}", workdir / f"kernel_{student}"


#: Sandboxed kernels of a root grader run as user ids from here on, one per student of the batch.
FIRST_SANDBOX_UID = 61000


def sandbox_environment(template: Path, lab: str, runtime: Path, *, uid: int, memory_mb: int, file_mb: int,
                        processes: int, wall_time: float) -> dict[str, str]:
    """What nbgrader needs to run this student's kernel in the sandbox (:mod:`dlcourse_grade.sandbox`)."""
    from . import sandbox

    release = template / "labs" / lab
    data = tuple(str(p) for p in sorted(release.iterdir()) if p.name != f"{lab}.ipynb")
    spec = sandbox.SandboxSpec(runtime=str(runtime), data=data, memory_mb=memory_mb, file_mb=file_mb,
                               processes=processes, cpu_seconds=max(1, int(wall_time)), uid=uid,
                               read_only=sandbox.python_directories())
    return {sandbox.ENV_VAR: spec.to_json()}


def grade_one(course: Path, template: Path, lab: str, student: str, *, workdir: Path, wall_time: float,
              memory_mb: int, cell_timeout: int, sandboxed: bool = True, uid: int = FIRST_SANDBOX_UID,
              file_mb: int = 256, processes: int = 256) -> Result:
    """Autograde one student's submission in a private copy of the course, its kernel in the sandbox."""
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
        env.update(sandbox_environment(template, lab, runtime, uid=uid, memory_mb=memory_mb, file_mb=file_mb,
                                       processes=processes, wall_time=wall_time))
    # the sandbox's manager, or (unsandboxed) the course's resilient client, also for a course whose
    # nbgrader_config.py predates it (grading/dlcourse_grade/kernel_client.py)
    manager = "dlcourse_grade.sandbox.SandboxedKernelManager" if sandboxed else "dlcourse_grade.kernel_client.ResilientKernelManager"
    command = [sys.executable, "-m", "nbgrader", "autograde", lab, "--student", student,
               f"--Execute.timeout={cell_timeout}", f"--Execute.kernel_manager_class={manager}"]
    process = subprocess.Popen(command, cwd=private, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True, preexec_fn=_limit_memory(memory_mb), env=env)
    try:
        log, _ = process.communicate(timeout=wall_time)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the kernel too: it is in the same process group
        process.communicate()
        result.status, result.reason = "timed-out", f"grading took longer than {wall_time:.0f} s and was stopped"
        result.seconds = time.perf_counter() - start
        return result
    finally:
        _kill_group(process.pid)
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


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # leave no kernel of this student running
    except (ProcessLookupError, PermissionError):
        pass


_SUMMARY = re.compile(r"^All (\d+) check\(s\) passed\.$", re.M)


def verify_checks_ran(graded: nbformat.NotebookNode, source: nbformat.NotebookNode, result: Result) -> list[str]:
    """Zero every test cell that earned points although its checks did not report running.

    nbgrader gives a test cell its points when it ends without an error, so a submission that
    rewrites later cells before they run (an IPython input transformer, an AST transformer) could
    turn the tests into ``pass`` and score full marks. A test cell whose source uses the course's
    ``Checker`` always prints ``All N check(s) passed.`` when it passes, with one ``✔`` line per
    check; a passing cell without that summary did not run its checks. Such a cell gets an error
    output (so nbgrader, recording the notebook, scores it 0 too), its points are removed from
    ``result`` and the submission is flagged ``checks-did-not-run``. Returns the cells' grade_ids.
    """
    uses_checker = {c.metadata["nbgrader"]["grade_id"] for c in source.cells
                    if "nbgrader" in c.metadata and c.metadata["nbgrader"].get("grade") and "Checker(" in c.source}
    zeroed = []
    for cell in graded.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in uses_checker or not result.cells.get(grade_id):
            continue
        text = "".join(_output_text(o) for o in cell.get("outputs", []))
        claimed = sum(int(n) for n in _SUMMARY.findall(text))
        if _SUMMARY.search(text) and 0 < claimed <= text.count("\u2714"):
            continue
        cell.setdefault("outputs", []).append(nbformat.v4.new_output(
            "error", ename="ChecksDidNotRun", evalue="this test cell earned points but its checks never reported; "
            "something rewrote it before it ran", traceback=[]))
        result.code_score -= result.cells[grade_id]
        result.cells[grade_id] = 0.0
        zeroed.append(grade_id)
    if zeroed:
        result.flags.append(f"checks-did-not-run: {', '.join(zeroed)} passed without running their checks "
                            "(scored 0): look for code that rewrites cells (IPython transformers, hooks)")
    return zeroed


def _read_scores(private: Path, lab: str, student: str, result: Result, log: str) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    try:
        with Gradebook(f"sqlite:///{private / '.nbgrader' / 'gradebook.db'}") as gb:
            submission = gb.find_submission(lab, student)
            result.code_score = float(submission.code_score)
            result.max_code_score = float(submission.max_code_score)
            result.needs_manual_grade = bool(submission.needs_manual_grade)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    result.cells[grade.name] = None if grade.score is None else float(grade.score)
    except MissingEntry:
        result.status, result.reason = "failed", f"nbgrader recorded no grade: {_errors(log)}"


def autograde(course: Path, lab: str, *, students: list[str] | None = None, workers: int = 2,
              wall_time: float = 600, memory_mb: int = 6144, cell_timeout: int = 120, sandboxed: bool = True,
              file_mb: int = 256, processes: int = 256) -> list[Result]:
    """Grade the submissions of ``lab`` in parallel; every student ends with a :class:`Result`.

    Each kernel runs in the sandbox of :mod:`dlcourse_grade.sandbox`; without its tools this raises
    :class:`dlcourse_grade.sandbox.SandboxUnavailable` unless ``sandboxed=False`` is asked for explicitly.
    """
    if sandboxed:
        from .sandbox import require

        require()
    submitted = course / "submitted"
    available = sorted(p.name for p in submitted.iterdir() if (p / lab / f"{lab}.ipynb").exists()) \
        if submitted.exists() else []
    chosen = [s for s in available if students is None or s in students]
    uids = {student: FIRST_SANDBOX_UID + i % 4000 for i, student in enumerate(chosen)}
    gradebook_lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="dlcourse-grade-") as tmp:
        workdir = Path(tmp)
        template = _template(course, lab, workdir)

        def run(student: str) -> Result:
            try:
                result = grade_one(course, template, lab, student, workdir=workdir, wall_time=wall_time,
                                   memory_mb=memory_mb, cell_timeout=cell_timeout, sandboxed=sandboxed,
                                   uid=uids[student], file_mb=file_mb, processes=processes)
            except Exception as exc:  # one student's failure must not stop the batch
                result = Result(student, lab, status="failed", reason=f"{type(exc).__name__}: {exc}"[:300])
            if result.status == "graded":
                try:
                    with gradebook_lock:  # one writer at a time: the course gradebook is one SQLite file
                        problem = record_in_gradebook(course, lab, student)
                except Exception as exc:  # the grade stands in result.json and the report either way
                    problem = f"{type(exc).__name__}: {exc}"[:300]
                if problem:
                    result.flags.append(f"not-in-gradebook: {problem}")
            # written now, not when the batch ends: an interrupted batch keeps every grade it reached
            out = course / "autograded" / student / lab
            out.mkdir(parents=True, exist_ok=True)
            (out / "result.json").write_text(json.dumps(asdict(result), indent=1))
            # and the private copy goes at once: a batch of 300 must not keep 300 copies (and what
            # each submission wrote into its copy) until the end
            for private in private_dirs(workdir, student):
                shutil.rmtree(private, ignore_errors=True)
            return result

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(run, chosen))
    return results


# --------------------------------------------------------------------------- course gradebook
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
    executed = course / "autograded" / student / lab / f"{lab}.ipynb"
    staging = course / EXECUTED / student / lab
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copy(executed, staging / f"{lab}.ipynb")
    timestamp = course / "submitted" / student / lab / "timestamp.txt"
    if timestamp.exists():
        shutil.copy(timestamp, staging)
    graded = course / "autograded" / student / lab
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


# --------------------------------------------------------------------------- report
def load_results(course: Path, lab: str) -> list[Result]:
    autograded = course / "autograded"
    paths = sorted(autograded.glob(f"*/{lab}/result.json")) if autograded.exists() else []
    return [Result(**json.loads(p.read_text())) for p in paths]


def report(course: Path, lab: str) -> tuple[Path, str]:
    """Write ``reports/<lab>.csv`` and return it with a text summary."""
    results = load_results(course, lab)
    cells = sorted({c for r in results for c in r.cells})
    path = course / "reports" / f"{lab}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "status", "code_score", "max_code_score", "needs_manual_grade", *cells,
                         "flags", "reason"])
        for r in results:
            writer.writerow([r.student, r.status, r.code_score, r.max_code_score, r.needs_manual_grade,
                             *[r.cells.get(c, "") for c in cells], " | ".join(r.flags), r.reason])
    failed = [r for r in results if r.status != "graded"]
    flagged = [r for r in results if r.flags]
    lines = [f"{lab}: {len(results)} submission(s), {len(results) - len(failed)} graded, {len(failed)} not graded, "
             f"{len(flagged)} flagged for review"]
    lines += [f"  not graded  {r.student}: {r.status}: {r.reason}" for r in failed]
    lines += [f"  flagged     {r.student}: {'; '.join(r.flags)[:300]}" for r in flagged]
    return path, "\n".join(lines)


# --------------------------------------------------------------------------- feedback
def hidden_cells(source: nbformat.NotebookNode) -> set[str]:
    """grade_ids of the cells of the lab's ``source`` notebook that contain hidden tests."""
    return {c.metadata["nbgrader"]["grade_id"] for c in source.cells
            if HIDDEN_MARK in c.source and "nbgrader" in c.metadata}


def hidden_lines(source: nbformat.NotebookNode, min_length: int = 20) -> set[str]:
    """The lines of ``source``'s hidden tests long enough to identify them (``min_length`` characters)."""
    lines = set()
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            if HIDDEN_MARK in line:
                inside = True
            elif HIDDEN_END in line:
                inside = False
            elif inside and len(line.strip()) >= min_length:
                lines.add(line.strip())
    return lines


def _output_text(output: dict) -> str:
    """Everything an output shows as text: stream text, error value and traceback, every data format."""
    parts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", []),
             *output.get("data", {}).values()]
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts if isinstance(p, (str, list)))


def _shows_any(text: str, secrets: set[str]) -> bool:
    return any(secret in text for secret in secrets)


def redact(nb: nbformat.NotebookNode, hidden: set[str], scores: dict | None = None,
           secrets: set[str] = frozenset()) -> nbformat.NotebookNode:
    """A copy of ``nb`` in which hidden-test cells show no source and no traceback, and no output of any
    cell shows a line of ``secrets`` (the hidden tests' source, which a submission may have printed)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if secrets and cell.get("outputs"):
            cell.outputs = [out if not _shows_any(_output_text(out), secrets) else
                            nbformat.v4.new_output("stream", name="stdout",
                                                   text="[output not shown: it contains hidden-test source]\n")
                            for out in cell.outputs]
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") not in hidden:
            continue
        points = meta.get("points", "?")
        got = (scores or {}).get(meta["grade_id"])
        cell.source = (f"# Hidden tests ({meta['grade_id']}): source not shown."
                       + (f" Score: {got:g} / {points}" if got is not None else f" Points: {points}"))
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: hidden tests failed (details withheld)"]
                output["evalue"] = "hidden tests failed"
    return nb


def feedback(course: Path, lab: str) -> list[Path]:
    """Write one redacted HTML feedback page per graded student; return their paths."""
    from nbconvert import HTMLExporter

    source = nbformat.read(course / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    hidden, secrets = hidden_cells(source), hidden_lines(source)
    exporter = HTMLExporter()
    written = []
    for result in load_results(course, lab):
        graded = course / "autograded" / result.student / lab / f"{lab}.ipynb"
        if not graded.exists():
            continue
        body, _ = exporter.from_notebook_node(redact(nbformat.read(graded, as_version=4), hidden, result.cells, secrets))
        out = course / "feedback" / result.student / lab / f"{lab}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
        written.append(out)
    return written


# --------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dlcourse-grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", default=None, help="course root (holds nbgrader_config.py); default: .")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("collect", help="place downloaded submissions in submitted/")
    p.add_argument("src", help="a folder or a zip of downloaded notebooks")
    p = sub.add_parser("autograde", help="grade submissions in parallel, isolated, with limits")
    p.add_argument("lab")
    p.add_argument("--students", nargs="*")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--wall-time", type=float, default=600, help="seconds per student (default 600)")
    p.add_argument("--memory-mb", type=int, default=6144, help="address-space limit per student (default 6144)")
    p.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120)")
    p.add_argument("--file-mb", type=int, default=256, help="largest file a kernel may write (default 256)")
    p.add_argument("--processes", type=int, default=256, help="processes per sandboxed kernel (default 256)")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade without the bubblewrap sandbox: submissions can then read the solutions, "
                        "each other and the network; only inside a container per submission")
    p = sub.add_parser("report", help="write reports/<lab>.csv and print a summary")
    p.add_argument("lab")
    p = sub.add_parser("feedback", help="write feedback HTML without hidden tests")
    p.add_argument("lab")
    args = parser.parse_args(argv)
    course = find_course(args.course)
    if args.command == "collect":
        placements = collect(args.src, course)
        for pl in placements:
            print(f"{'placed ' if pl.target else 'SKIPPED'} {pl.source}"
                  + (f" -> {pl.target}" if pl.target else f": {pl.problem}"))
        return 0
    if args.command == "autograde":
        from .sandbox import SandboxUnavailable

        started = time.perf_counter()
        if args.unsafe_no_sandbox:
            print("WARNING: grading WITHOUT the sandbox (--unsafe-no-sandbox): every submission can read "
                  "solutions/, the hidden tests, the other submissions and the network.", file=sys.stderr)
        try:
            results = autograde(course, args.lab, students=args.students, workers=args.workers,
                                wall_time=args.wall_time, memory_mb=args.memory_mb, cell_timeout=args.cell_timeout,
                                sandboxed=not args.unsafe_no_sandbox, file_mb=args.file_mb,
                                processes=args.processes)
        except SandboxUnavailable as exc:
            print(f"dlcourse-grade: {exc}", file=sys.stderr)
            return 2
        for r in results:
            print(f"{r.student}: {r.status} {r.code_score:g}/{r.max_code_score:g} ({r.seconds:.1f} s)"
                  + (f" — {r.reason}" if r.reason else "") + (f" [{len(r.flags)} flag(s)]" if r.flags else ""))
        print(f"{len(results)} submission(s) in {time.perf_counter() - started:.1f} s")
        return 0
    if args.command == "report":
        path, summary = report(course, args.lab)
        print(summary)
        print(f"wrote {path}")
        return 0
    written = feedback(course, args.lab)
    print(f"wrote {len(written)} feedback page(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
