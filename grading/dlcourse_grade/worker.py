"""A long-lived nbgrader process per grading slot: nbgrader is imported once per slot, not once per student.

Starting ``python -m nbgrader autograde`` for every student cost about as much as a short lab
itself: an interpreter, then nbgrader's imports (SQLAlchemy, nbconvert, jsonschema with its
IRI grammar built at import), 2–5 s on a 2-core machine before the first cell ran. A
:class:`GradingWorker` starts one such process per parallel slot and hands it one student at a
time; the process runs nbgrader's own ``autograde`` through nbgrader's API (the code the command
runs) in that student's private course copy, with that student's environment.

What stays the same as one process per student: the worker is trusted code (nbgrader, not the
submission); only the kernel it starts runs student code, in the sandbox. Every student still
gets a private course copy with its own gradebook, and a wall-time limit: a worker that does not
answer in time is killed with everything it started (its process group; a sandboxed kernel dies
with its ``bwrap --die-with-parent``), and the next student gets a fresh worker.

The protocol is one JSON line per task on the worker's stdin and one per answer on a pipe of
its own (fd 3 in the worker); the worker's stdout and stderr — nbgrader's and the kernels'
chatter — go into the task's own log file, as the command's output did.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["ANSWER_FD", "GradingWorker", "WorkerTimeout", "serve"]

#: The file descriptor of the worker's answer channel (the write end of a pipe passed to the worker).
ANSWER_FD = 3


class WorkerTimeout(TimeoutError):
    """The worker did not answer within the wall time; it has been killed."""


def _limit_memory(memory_mb: int):
    def apply():  # runs in the child before exec; inherited by the kernels it starts
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


class GradingWorker:
    """One nbgrader process that grades students one after another (see the module docstring).

    ``memory_mb`` limits the worker's address space (and, unsandboxed, its kernels'). The process
    starts on the first :meth:`autograde` and again after a timeout; :meth:`close` ends it.

    Parameters
    ----------
    memory_mb : int, default 6144
        Address-space limit of the worker process (inherited by the kernels it starts), in MiB.
    """

    def __init__(self, memory_mb: int = 6144):
        self.memory_mb = memory_mb
        self._process: subprocess.Popen | None = None
        self._answers = None

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        os.set_inheritable(write_end, True)
        # the answer pipe must be fd 3 in the child, whatever number it has here
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"import os, sys; os.dup2({write_end}, {ANSWER_FD}); "
                "from dlcourse_grade.worker import serve; sys.exit(serve())",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            pass_fds=(write_end,),
            start_new_session=True,
            preexec_fn=_limit_memory(self.memory_mb),
        )
        os.close(write_end)
        self._answers = os.fdopen(read_end, "r")

    def autograde(
        self,
        course: Path,
        lab: str,
        student: str,
        *,
        env: dict[str, str],
        settings: dict,
        log_path: Path,
        wall_time: float,
    ) -> dict:
        """nbgrader autograde of ``student``'s ``lab`` in the private course ``course``.

        Returns nbgrader's API answer (``success``, ``log``, ``error``); raises :class:`WorkerTimeout`
        after ``wall_time`` seconds, having killed the worker and everything it started.

        Parameters
        ----------
        course : pathlib.Path
            The student's private copy of the course; the worker works in it.
        lab : str
            The assignment's name.
        student : str
            The student's id.
        env : dict of str to str
            The worker's whole environment for this task (it replaces the worker's own).
        settings : dict
            nbgrader configuration sections, ``{class name: {trait: value}}``, merged over the course's
            ``nbgrader_config.py`` (:func:`dlcourse_grade.gradebook.nbgrader_api`).
        log_path : pathlib.Path
            File that nbgrader's and the kernels' output is appended to.
        wall_time : float
            Seconds to wait for the answer.

        Returns
        -------
        dict
            nbgrader's answer: ``success`` and ``log``, or ``{"success": False, "error": ...}`` if nbgrader failed
            or the worker ended without an answer.
        """
        if self._process is None or self._process.poll() is not None:
            self._start()
        task = {
            "course": str(course),
            "lab": lab,
            "student": student,
            "env": env,
            "settings": settings,
            "log": str(log_path),
        }
        deadline = time.monotonic() + wall_time
        try:
            self._process.stdin.write(json.dumps(task) + "\n")
            self._process.stdin.flush()
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WorkerTimeout(f"no answer within {wall_time:.0f} s")
                ready, _, _ = select.select([self._answers], [], [], remaining)
                if ready:
                    line = self._answers.readline()
                    if not line:  # the worker died (a crash of nbgrader itself, or killed from outside)
                        return {
                            "success": False,
                            "error": f"the grading worker ended (exit code {self._process.wait()}) without an answer",
                        }
                    return json.loads(line)
        except BaseException:
            self._kill()
            raise

    def _kill(self) -> None:
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._process.wait()
            self._answers.close()
            self._process = None

    def close(self) -> None:
        """End the worker: it finishes when its stdin closes; killed if it does not within 10 s."""
        if self._process is None:
            return
        try:
            self._process.stdin.close()
            self._process.wait(timeout=10)
        except (subprocess.TimeoutExpired, OSError):
            pass
        self._kill()

    def __enter__(self) -> GradingWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _grade(task: dict) -> dict:
    from .gradebook import nbgrader_api

    os.chdir(task["course"])
    os.environ.clear()
    os.environ.update(task["env"])
    with open(task["log"], "ab", buffering=0) as log:
        # nbgrader's and the kernels' own output goes to this student's log, as the command's did
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            api = nbgrader_api(Path(task["course"]), **task["settings"])
            return api.autograde(task["lab"], task["student"], force=True, create=True)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.close(devnull)


def serve() -> int:
    """The worker's loop: a task per line on stdin, an answer per line on file descriptor 3 (``ANSWER_FD``), until stdin closes.

    Returns
    -------
    int
        The exit status, 0, once stdin is closed.
    """
    import nbgrader.apps  # noqa: F401 - imported once here, before the first student: that is the point

    answers = os.fdopen(ANSWER_FD, "w")
    for line in sys.stdin:
        try:
            answer = _grade(json.loads(line))
        except Exception as exc:  # nbgrader itself failed on this student: say so, serve the next one
            answer = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    return 0
