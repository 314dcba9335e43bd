"""A throwaway PostgreSQL server on 127.0.0.1, for the tests and benchmarks of what outgrows one machine.

    with PostgresServer() as server:
        url = server.create_database("study")   # postgresql+psycopg://dlcourse@127.0.0.1:PORT/study

The cluster lives in a temporary directory (``initdb``, password authentication, ``fsync`` off) and is
stopped and deleted on exit. The URL carries no password: clients take it from ``PGPASSWORD``
(:attr:`PostgresServer.env`), as the course tells instructors to. PostgreSQL refuses to run as root,
so a root caller runs the server as the ``postgres`` user (Debian's package creates it) or ``nobody``.
Debian's ``postgresql`` package provides the binaries: ``python tools/install_postgres.py``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PostgresServer", "binaries", "available", "DRIVER", "USER", "PASSWORD"]

#: SQLAlchemy's name for the driver the ``postgres`` extra installs (psycopg 3).
DRIVER = "postgresql+psycopg"
USER = "dlcourse"
PASSWORD = "throwaway-test-password"


def binaries() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl`` (on PATH, else Debian's newest version), or None."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def available() -> bool:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return binaries() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One PostgreSQL cluster in a temporary directory, on a free port of 127.0.0.1."""

    def __init__(self):
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed: run `python tools/install_postgres.py`")
        self.root = Path(tempfile.mkdtemp(prefix="dlcourse-pg-"))
        self.port = _free_port()
        self.env = {"PGPASSWORD": PASSWORD}
        self._owner = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self._owner = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._owner is not None:
            command = [
                "setpriv",
                f"--reuid={self._owner.pw_uid}",
                f"--regid={self._owner.pw_gid}",
                "--clear-groups",
                *command,
            ]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "LC_ALL": "C"},
            **kwargs,
        )

    def start(self) -> PostgresServer:
        pwfile = self.root / "pwfile"
        pwfile.write_text(PASSWORD + "\n")
        if self._owner is not None:
            for path in (self.root, pwfile):
                os.chown(path, self._owner.pw_uid, self._owner.pw_gid)
        data = self.root / "data"
        self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            USER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "--encoding=UTF8",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")
        deadline = time.monotonic() + 30
        while True:  # pg_ctl -w waits for the socket; a first connection confirms password login works
            try:
                self.connect("postgres").close()
                return self
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def connect(self, database: str):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, dbname=database, autocommit=True
        )

    def url(self, database: str) -> str:
        """The database's SQLAlchemy URL, without the password."""
        return f"{DRIVER}://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh, empty database (dropped first if it exists); returns its URL."""
        with self.connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError):
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
