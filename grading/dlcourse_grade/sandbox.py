"""The grading sandbox: each student's kernel runs in a bubblewrap container of its own.

Threat model. A submission is code written by someone who may want a better grade than their
work earns, or who makes mistakes that look like attacks (endless loops, huge outputs). Its
kernel must not be able to

* read what would give the answers away: ``solutions/``, the gradebook with the hidden tests'
  source, the instructor's files, other students' submissions;
* change anything outside its own sandbox: other grades, the course, the instructor's home;
* reach the network;
* outlive its grading or slow its siblings down past the limits: every process it starts
  (``fork``, ``setsid``, daemons) dies with it, and memory, processes, file size and CPU time
  are limited.

How. The trusted grader (nbgrader in its private copy of the course) keeps the hidden tests and
sends them to the kernel cell by cell, when they run; only the *kernel* runs in the sandbox.
:class:`SandboxedKernelManager` starts it under ``bwrap`` (Debian's ``bubblewrap``) with new
PID, network, IPC, UTS and mount namespaces. Its filesystem holds read-only ``/usr`` and the
Python installation (with ``dlcourse``'s own package directory), a small writable ``/tmp`` and
home on ``tmpfs`` (size-limited), the release's data files read-only, and a directory with the
kernel's connection file and sockets — nothing else of the machine. Kernel and grader talk over
Unix sockets in that directory (``transport="ipc"``), which crosses the network namespace;
interrupts are sent as messages, since a signal to ``bwrap`` would not reach the kernel. The
environment is cleared (no ``PWD``, no course path). ``prlimit`` sets the kernel's limits; run as
root, the grader also drops the kernel to an unprivileged user id of its own (``setpriv``), so
the process limit counts only that student's processes. When the kernel manager kills ``bwrap``
(or the grader dies), the PID namespace goes with it: everything the submission started ends.

Where ``bwrap`` is missing, :func:`require` raises :class:`SandboxUnavailable`; the grading
command refuses to run unless told explicitly (``--unsafe-no-sandbox``) to fall back to the
weaker private-copy isolation.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .kernel_client import ResilientKernelManager

__all__ = [
    "ENV_VAR",
    "HOME",
    "TOOLS",
    "SandboxSpec",
    "SandboxUnavailable",
    "SandboxedKernelManager",
    "available",
    "python_directories",
    "require",
    "sandbox_command",
]

#: The environment variable through which the grader hands a :class:`SandboxSpec` to nbgrader's kernel manager.
ENV_VAR = "DLCOURSE_SANDBOX"
#: The kernel's home and working directory inside the sandbox.
HOME = "/home/student"
#: The programs the sandbox runs (bubblewrap, and util-linux's prlimit and setpriv).
TOOLS = ("bwrap", "prlimit", "setpriv")


class SandboxUnavailable(RuntimeError):
    """The sandbox tools are not installed (``apt-get install bubblewrap``)."""


@dataclass(frozen=True)
class SandboxSpec:
    """Everything the kernel manager needs to build one student's sandbox (JSON through :data:`ENV_VAR`).

    Parameters
    ----------
    runtime : str
        Host directory for the connection file and sockets, shared with the grader (bound read-write).
    data : tuple of str, default ()
        Host files put read-only into the kernel's working directory (:data:`HOME`), under their base names.
    memory_mb : int, default 6144
        Address-space limit of each process, in MiB.
    processes : int, default 256
        Process limit of the sandbox's user (only exact when the grader runs as root).
    file_mb : int, default 256
        Largest file the kernel may write, in MiB.
    home_mb : int, default 512
        Size of each of the writable tmpfs mounts (home, ``/tmp``), in MiB.
    cpu_seconds : int, default 3600
        CPU-time limit of each process, in seconds.
    uid : int, optional
        The unprivileged user id to run as when the grader runs as root; ``None`` means 65534 (``nobody``).
        Ignored when the grader is not root.
    threads : int, default 1
        ``DLCOURSE_NUM_THREADS`` of the kernel.
    read_only : tuple of str, default ()
        Host directories bound read-only at the same path.
    """

    runtime: str  #: host directory for the connection file and sockets (shared with the grader)
    data: tuple[str, ...] = ()  #: host files put read-only into the kernel's working directory
    memory_mb: int = 6144  #: address space of each process
    processes: int = 256  #: processes of the sandbox's user (only exact when the grader runs as root)
    file_mb: int = 256  #: largest file the kernel may write
    home_mb: int = 512  #: size of each of the writable tmpfs mounts (home, /tmp)
    cpu_seconds: int = 3600  #: CPU time of each process
    uid: int | None = None  #: the unprivileged user id to run as (root grader only)
    threads: int = 1  #: DLCOURSE_NUM_THREADS of the kernel
    read_only: tuple[str, ...] = field(default_factory=tuple)  #: host directories bound read-only

    def to_json(self) -> str:
        """The spec as JSON, for :data:`ENV_VAR`.

        Returns
        -------
        str
            A JSON object with one key per field.
        """
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SandboxSpec:
        """The spec that :meth:`to_json` wrote.

        Parameters
        ----------
        text : str
            The JSON object.

        Returns
        -------
        SandboxSpec
            The spec, its lists turned back into tuples.
        """
        values = json.loads(text)
        values["data"] = tuple(values.get("data", ()))
        values["read_only"] = tuple(values.get("read_only", ()))
        return cls(**values)


def _missing_tools() -> list[str]:
    return [tool for tool in TOOLS if not shutil.which(tool)]


def available() -> bool:
    """Whether the sandbox tools (``bwrap``, ``prlimit``, ``setpriv``) are on ``PATH``.

    Returns
    -------
    bool
        ``True`` if all three are found.
    """
    return not _missing_tools()


def require() -> None:
    """Raise :class:`SandboxUnavailable` with the remedy if the sandbox tools are missing here."""
    missing = _missing_tools()
    if missing:
        raise SandboxUnavailable(
            f"the grading sandbox needs {', '.join(missing)} (Debian: apt-get install bubblewrap util-linux); "
            "grading without it lets submissions read the solutions and each other: pass --unsafe-no-sandbox "
            "only if every submission runs in a container of its own already"
        )


@functools.lru_cache(maxsize=None)
def python_directories() -> tuple[str, ...]:
    """The host directories the kernel needs read-only: the Python installation and dlcourse itself.

    Only these, not ``sys.path``: run from the course root, ``sys.path`` holds the course (and its
    ``solutions/``). ``dlcourse`` is located the way the kernel will import it — by this Python in
    isolated mode (``-I``: no ``PYTHONPATH``, no current directory), as the sandbox's cleared
    environment and home directory leave it — not by this process, whose current directory may hold
    another checkout than the one an editable install points at (found, not imported: importing it
    would import torch).
    """
    dirs = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    locate = (
        "import importlib.util as u; s = u.find_spec('dlcourse'); "
        "print(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')"
    )
    found = subprocess.run(
        [sys.executable, "-I", "-c", locate], capture_output=True, text=True, cwd="/", timeout=60
    ).stdout.strip()
    if found:
        dirs.add(os.path.realpath(found))
    return tuple(sorted(dirs))


def _limits(spec: SandboxSpec) -> list[str]:
    mib = 1024 * 1024
    return [
        "prlimit",
        f"--as={spec.memory_mb * mib}",
        f"--nproc={spec.processes}",
        f"--fsize={spec.file_mb * mib}",
        f"--cpu={spec.cpu_seconds}",
        "--core=0",
        "--",
    ]


def sandbox_command(command: list[str], spec: SandboxSpec) -> list[str]:
    """``command`` wrapped so that it runs in the sandbox described by ``spec``.

    Parameters
    ----------
    command : list of str
        The command to run inside, e.g. the kernel's ``argv``.
    spec : SandboxSpec
        The sandbox: mounts, limits and user.

    Returns
    -------
    list of str
        ``bwrap …``, then ``prlimit …``, then (run as root) ``setpriv …``, then ``command``.
    """
    python_bin = os.path.dirname(os.path.realpath(sys.executable))
    as_root = os.geteuid() == 0
    wrapped = [
        "bwrap",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--hostname",
        "sandbox",
    ]
    if not as_root:  # an unprivileged bwrap needs a user namespace; as root, setpriv changes the user instead
        wrapped += ["--unshare-user", "--uid", "1000", "--gid", "1000"]
    size = str(spec.home_mb * 1024 * 1024)
    wrapped += [
        "--ro-bind",
        "/usr",
        "/usr",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        size,
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
        "--size",
        size,
        "--perms",
        "1777",
        "--tmpfs",
        HOME,
    ]
    for link in ("bin", "lib", "lib64", "sbin"):  # merged-/usr systems: links; older ones: directories
        if os.path.islink(f"/{link}"):
            wrapped += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
        elif os.path.isdir(f"/{link}"):
            wrapped += ["--ro-bind", f"/{link}", f"/{link}"]
    for path in ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"):
        wrapped += ["--ro-bind-try", path, path]
    binds = [("--ro-bind", path, path) for path in spec.read_only]
    binds += [("--ro-bind", path, f"{HOME}/{os.path.basename(path)}") for path in spec.data]
    binds.append(("--bind", spec.runtime, spec.runtime))
    made = {"/", "/tmp", HOME, "/usr"}
    for _, _, target in binds:  # parents that bwrap would create unreadable (e.g. /root, mode 0700)
        for parent in reversed(Path(target).parents):
            if str(parent) not in made:
                wrapped += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
    for kind, source, target in binds:
        wrapped += [kind, source, target]
    wrapped += ["--chdir", HOME]
    env = {
        "HOME": HOME,
        "USER": "student",
        "LANG": "C.UTF-8",
        "PATH": f"{python_bin}:/usr/bin:/bin",
        "IPYTHONDIR": f"{HOME}/.ipython",
        "MPLCONFIGDIR": f"{HOME}/.config/matplotlib",
        "MPLBACKEND": "agg",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DLCOURSE_NUM_THREADS": str(spec.threads),
    }
    for name, value in env.items():
        wrapped += ["--setenv", name, value]
    wrapped += _limits(spec)
    if as_root:
        uid = spec.uid if spec.uid is not None else 65534
        wrapped += [
            "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
    return wrapped + list(command)


class SandboxedKernelManager(ResilientKernelManager):
    """A kernel manager whose kernel runs in the sandbox that :data:`ENV_VAR` describes.

    nbgrader is pointed at it with ``--Execute.kernel_manager_class=dlcourse_grade.sandbox.SandboxedKernelManager``.

    Parameters
    ----------
    **kwargs
        The arguments of ``jupyter_client``'s ``AsyncKernelManager``. :data:`ENV_VAR` must hold a
        :class:`SandboxSpec` (else :class:`SandboxUnavailable`); its ``runtime`` directory is created.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        text = os.environ.get(ENV_VAR)
        if not text:
            raise SandboxUnavailable(f"{ENV_VAR} is not set: this kernel manager is for dlcourse-grade's sandbox")
        self.sandbox = SandboxSpec.from_json(text)
        runtime = Path(self.sandbox.runtime)
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._give_to_sandbox(runtime)
        # Unix sockets in a directory the sandbox shares: they cross the network namespace, TCP would not
        self.transport = "ipc"
        self.ip = str(runtime / "kernel")
        self.connection_file = str(runtime / "kernel.json")

    def _give_to_sandbox(self, path: Path) -> None:
        if os.geteuid() == 0 and self.sandbox.uid is not None:
            os.chown(path, self.sandbox.uid, self.sandbox.uid)

    def write_connection_file(self, **kwargs):
        """Write the connection file as ``jupyter_client`` does, then give it to the sandbox's user (as root).

        Parameters
        ----------
        **kwargs
            Passed on to ``jupyter_client``'s ``write_connection_file``.

        Returns
        -------
        None
            What ``jupyter_client``'s method returns.
        """
        result = super().write_connection_file(**kwargs)
        self._give_to_sandbox(Path(self.connection_file))  # written 0600 by the grader, read by the kernel
        return result

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        if spec is not None:
            # a SIGINT to bwrap would not reach the kernel; ipykernel interrupts itself on request
            spec.interrupt_mode = "message"
        return spec

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel's command line, wrapped by :func:`sandbox_command`.

        Parameters
        ----------
        extra_arguments : list of str, optional
            Extra arguments for the kernel, as in ``jupyter_client``.

        Returns
        -------
        list of str
            The sandboxed command.
        """
        return sandbox_command(super().format_kernel_cmd(extra_arguments), self.sandbox)

    async def _async_pre_start_kernel(self, **kw):
        command, kw = await super()._async_pre_start_kernel(**kw)
        kw["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}  # bwrap's; the kernel's is set inside
        kw["cwd"] = self.sandbox.runtime
        return command, kw
