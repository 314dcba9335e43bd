"""The grading sandbox (grading/dlcourse_grade/sandbox.py): what a command run in it can see, reach and write.

The end-to-end behaviour (hostile submissions graded in it) is in ``tests/test_instructor.py``;
these tests run one short Python command in the sandbox and check the walls one by one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlcourse_grade import instructor, sandbox

ROOT = Path(__file__).resolve().parents[1]
needs_bwrap = pytest.mark.skipif(
    not sandbox.available() and os.environ.get("DLCOURSE_REQUIRE_SANDBOX") != "1",
    reason="needs bubblewrap: python tools/install_grading_sandbox.py",
)


def test_the_spec_travels_as_json():
    spec = sandbox.SandboxSpec(runtime="/tmp/r", data=("/a/b.csv",), uid=61001, read_only=("/usr/lib/python3",))
    assert sandbox.SandboxSpec.from_json(spec.to_json()) == spec


def test_the_kernel_gets_the_python_installation_and_dlcourse_but_not_the_course():
    dirs = sandbox.python_directories()
    assert os.path.realpath(sys.prefix) in dirs
    import dlcourse

    assert str(Path(dlcourse.__file__).resolve().parent) in dirs
    for d in dirs:  # dlcourse's package directory, never the checkout around it with solutions/
        assert not (Path(d) / "solutions").exists() and not (Path(d) / "nbgrader_config.py").exists(), d


def test_dlcourse_is_located_as_the_kernel_imports_it(tmp_path):
    """Run from another checkout (its ``dlcourse/`` in the current directory and on ``PYTHONPATH``),
    the grader must still give the sandbox the ``dlcourse`` the kernel will import. It once bound
    the current directory's copy, and every kernel failed with ``No module named 'dlcourse'``."""
    decoy = tmp_path / "dlcourse"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    code = "from dlcourse_grade import sandbox; print(sandbox.python_directories())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    ).stdout
    isolated = subprocess.run(
        [sys.executable, "-I", "-c", "import dlcourse, os; print(os.path.dirname(dlcourse.__file__))"],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert str(decoy) not in out and os.path.realpath(isolated) in out, out


def test_the_grading_tool_does_not_import_torch():
    """Every grading worker imports the sandbox's kernel manager: torch would cost each ~1.5 s."""
    code = "import sys, dlcourse_grade.sandbox, dlcourse_grade.instructor; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_the_command_shares_only_what_the_spec_names(tmp_path):
    spec = sandbox.SandboxSpec(
        runtime=str(tmp_path / "rt"), data=(str(tmp_path / "data.csv"),), read_only=("/opt/python",)
    )
    command = sandbox.sandbox_command(["python", "-c", "pass"], spec)
    for flag in ("--unshare-pid", "--unshare-net", "--die-with-parent", "--clearenv", "--new-session"):
        assert flag in command
    sources = [command[i + 1] for i, word in enumerate(command) if word in ("--bind", "--ro-bind", "--ro-bind-try")]
    assert set(sources) - {"/usr", "/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"} == {
        "/opt/python",
        str(tmp_path / "data.csv"),
        str(tmp_path / "rt"),
    }
    writable = [command[i + 1] for i, word in enumerate(command) if word == "--bind"]
    assert writable == [str(tmp_path / "rt")]
    assert command[-3:] == ["python", "-c", "pass"]


def test_grading_refuses_to_run_without_the_sandbox_unless_told(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="bubblewrap"):
        sandbox.require()
    (tmp_path / "nbgrader_config.py").write_text("")
    assert instructor.main(["--course", str(tmp_path), "autograde", "lab01_activations"]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--unsafe-no-sandbox" in err


PROBE = r"""
import json, os, socket
facts = {"uid": os.getuid(), "cwd": os.getcwd(), "env": sorted(os.environ), "root": sorted(os.listdir("/")),
         "course": os.path.exists(COURSE), "pid": os.getpid()}
try:
    socket.create_connection(("127.0.0.1", 1), timeout=2)
    facts["network"] = "reached"
except OSError as exc:
    facts["network"] = type(exc).__name__
try:
    socket.getaddrinfo("pypi.org", 443)
    facts["dns"] = "resolved"
except OSError as exc:
    facts["dns"] = type(exc).__name__
try:
    with open("big.bin", "wb") as f:
        for _ in range(64):
            f.write(b"0" * 2 ** 20)
    facts["wrote_mb"] = 64
except OSError as exc:
    facts["wrote_mb"] = os.path.getsize("big.bin") // 2 ** 20
print(json.dumps(facts))
"""


@needs_bwrap
def test_a_command_in_the_sandbox_sees_only_its_own_world(tmp_path):
    runtime = tmp_path / "rt"
    runtime.mkdir()
    if os.geteuid() == 0:
        os.chown(runtime, 61999, 61999)
    spec = sandbox.SandboxSpec(runtime=str(runtime), file_mb=8, uid=61999, read_only=sandbox.python_directories())
    code = PROBE.replace("COURSE", repr(str(ROOT / "solutions")))
    result = subprocess.run(
        sandbox.sandbox_command([sys.executable, "-c", code], spec), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["uid"] != 0 and facts["cwd"] == sandbox.HOME
    assert not facts["course"], "the course's solutions/ must not be visible"
    assert facts["network"] in ("ConnectionRefusedError", "OSError") and facts["dns"] == "gaierror"
    assert facts["wrote_mb"] <= 8
    assert facts["pid"] < 10, "a PID namespace of its own"
    # a cleared environment: what the sandbox sets, and bwrap's PWD (the sandbox's own directory)
    assert set(facts["env"]) == {
        "HOME",
        "USER",
        "LANG",
        "PATH",
        "IPYTHONDIR",
        "MPLCONFIGDIR",
        "MPLBACKEND",
        "PYTHONHASHSEED",
        "PYTHONDONTWRITEBYTECODE",
        "DLCOURSE_NUM_THREADS",
        "PWD",
    }
    assert set(facts["root"]) <= {
        "usr",
        "bin",
        "lib",
        "lib64",
        "sbin",
        "etc",
        "proc",
        "dev",
        "tmp",
        "home",
        *(p.split("/")[1] for p in spec.read_only),
        runtime.parts[1],
    }


def _unreachable_ancestor(path: str) -> str | None:
    """The topmost directory above ``path`` that other users cannot enter (``/root``, mode 0700)."""
    for parent in reversed(Path(path).parents):
        if str(parent) != "/" and not os.stat(parent).st_mode & 0o001:
            return str(parent)
    return None


KERNEL_PROBE = r"""
import json, os, subprocess, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from dlcourse_grade import sandbox
workdir = Path(sys.argv[1])
spec = sandbox.SandboxSpec(runtime=str(workdir / "rt"), file_mb=8, read_only=sandbox.python_directories())
(workdir / "rt").mkdir()
probe = subprocess.run(sandbox.sandbox_command([sys.executable, "-c", sys.argv[2]], spec), capture_output=True,
                       text=True, timeout=60)
os.environ[sandbox.ENV_VAR] = spec.to_json()
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os; print(os.getuid(), os.getcwd())")])
NotebookClient(nb, timeout=60, kernel_name="python3", kernel_manager_class=sandbox.SandboxedKernelManager).execute()
print(json.dumps({"grader_uid": os.geteuid(), "probe": probe.stdout, "probe_err": probe.stderr[-500:],
                  "kernel": nb.cells[0].outputs[0]["text"]}))
"""


@needs_bwrap
@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare"),
    reason="runs the grader as an unprivileged user: needs root to switch to one",
)
def test_an_unprivileged_grader_gets_the_same_walls(tmp_path_factory):
    """An instructor grading from their own account takes the other path of the sandbox: no
    ``setpriv``, a user namespace (``bwrap --unshare-user``) instead. CI runs as root, so this test
    runs a grader as ``nobody`` (uid 65534) — in a mount namespace of its own where directories
    ``nobody`` may not enter (a Python installed under ``/root``) are made enterable, the files
    in them unchanged — and checks the same walls, then runs a kernel through the sandbox's
    kernel manager (connection file and Unix sockets across the user namespace).
    """
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="dlcourse-unprivileged-"))
    os.chmod(workdir, 0o777)
    try:
        needed = sorted({*sandbox.python_directories(), str(Path(sandbox.__file__).resolve().parents[1])})
        script = ["set -e"]
        for i, path in enumerate(needed):
            hidden = _unreachable_ancestor(path)
            if hidden:  # keep the directory, cover its unenterable ancestor, put the directory back
                script += [f"mkdir -p /tmp/.keep{i}", f"mount --bind '{path}' /tmp/.keep{i}"]
                script += [
                    f"mountpoint -q '{hidden}' || mount -t tmpfs -o mode=755 tmpfs '{hidden}'",
                    f"mkdir -p '{path}'",
                    f"mount --bind /tmp/.keep{i} '{path}'",
                ]
        code = PROBE.replace("COURSE", repr(str(ROOT / "solutions")))
        python = os.path.realpath(sys.executable)
        script.append(
            f"exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME='{workdir}' "
            f"'{python}' -c \"$1\" '{workdir}' \"$2\""
        )
        result = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(script), "sh", KERNEL_PROBE, code],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        facts = json.loads(result.stdout.strip().splitlines()[-1])
        assert facts["grader_uid"] == 65534
        probe = json.loads(facts["probe"] or "{}")
        assert probe, facts["probe_err"]
        assert probe["uid"] == 1000 and probe["cwd"] == sandbox.HOME
        assert not probe["course"], "the course's solutions/ must not be visible"
        assert probe["network"] in ("ConnectionRefusedError", "OSError") and probe["dns"] == "gaierror"
        assert probe["wrote_mb"] <= 8 and probe["pid"] < 10
        assert facts["kernel"].split() == ["1000", sandbox.HOME], "the kernel ran in the sandbox"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
