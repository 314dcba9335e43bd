"""What keeps one student's grading apart from the others' and from the instructor's: a private copy of the
course with its own gradebook, a private home, an environment without the gradebook server's credentials, and
the sandbox its kernel runs in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = [
    "sqlite_gradebook_url",
    "isolated_home",
    "WITHHELD_PREFIXES",
    "private_environment",
    "private_dirs",
    "FIRST_SANDBOX_UID",
    "sandbox_environment",
]


def sqlite_gradebook_url(course: Path) -> str:
    """The URL of the SQLite gradebook kept in ``course`` (``.nbgrader/gradebook.db``, nbgrader's default).

    A private course always grades into its own, whatever gradebook the course uses: a course that
    grades into a database server must not hand that server's address (or the rights to it) to a
    student's grading, and each student's scores are read back from this file.

    Parameters
    ----------
    course : pathlib.Path
        The course root: the instructor's course or a private copy of it.

    Returns
    -------
    str
        ``sqlite:///<course>/.nbgrader/gradebook.db``.
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


def isolated_home(home: Path) -> dict[str, str]:
    """Environment variables that give a process (and the kernels it starts) ``home`` as its home.

    Kernels keep state in the home directory that the next kernel reads: IPython's profile (its
    ``startup/`` scripts run in every later kernel, and its history database is shared by all
    kernels at once), matplotlib's cache, the user's site-packages. The directories are created.

    Parameters
    ----------
    home : pathlib.Path
        The private home; it and the directories under it are created if missing.

    Returns
    -------
    dict of str to str
        ``HOME``, ``IPYTHONDIR``, ``MPLCONFIGDIR``, the ``XDG_*`` directories and ``PYTHONUSERBASE``, all under
        ``home``.
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

    Parameters
    ----------
    home : pathlib.Path
        The run's private home (:func:`isolated_home` creates its directories).

    Returns
    -------
    dict of str to str
        The whole environment: the instructor's less the withheld variables, with ``DLCOURSE_NUM_THREADS=1``,
        ``PYTHONHASHSEED=0``, ``JUPYTER_DATA_DIR`` and the variables of the private home.
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


def private_dirs(workdir: Path, student: str) -> tuple[Path, Path, Path]:
    """The student's private copy of the course, private home and sandbox runtime directory under ``workdir``.

    Parameters
    ----------
    workdir : pathlib.Path
        The batch's temporary directory.
    student : str
        The student's id.

    Returns
    -------
    tuple of pathlib.Path
        ``student_<id>``, ``home_<id>`` and ``kernel_<id>`` under ``workdir`` (not created here).
    """
    return workdir / f"student_{student}", workdir / f"home_{student}", workdir / f"kernel_{student}"


#: Sandboxed kernels of a root grader run as user ids from here on, one per student of the batch.
FIRST_SANDBOX_UID = 61000


def sandbox_environment(
    template: Path, lab: str, runtime: Path, *, uid: int, memory_mb: int, file_mb: int, processes: int, wall_time: float
) -> dict[str, str]:
    """What nbgrader needs to run this student's kernel in the sandbox (:mod:`dlcourse_grade.sandbox`).

    Parameters
    ----------
    template : pathlib.Path
        The batch's private course template, the release generated in ``labs/<lab>``.
    lab : str
        The assignment's name; the files of its release beside the notebook become the kernel's read-only data.
    runtime : pathlib.Path
        The kernel's runtime directory (connection file and sockets), shared with the grader.
    uid : int
        The user id the kernel runs as when the grader runs as root (see :data:`FIRST_SANDBOX_UID`).
    memory_mb : int
        Address-space limit of each of the kernel's processes, in MiB.
    file_mb : int
        Largest file the kernel may write, in MiB.
    processes : int
        Process limit of the sandbox's user.
    wall_time : float
        The grading's time limit in seconds; each process's CPU time is limited to as many seconds (at least 1).

    Returns
    -------
    dict of str to str
        One variable, :data:`dlcourse_grade.sandbox.ENV_VAR`: the :class:`~dlcourse_grade.sandbox.SandboxSpec` as
        JSON.
    """
    from .. import sandbox

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
