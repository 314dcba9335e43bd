"""Test-wide settings: one torch thread (the course default), and no network at all."""

from __future__ import annotations

import socket

import pytest
from hypothesis import settings

import dlcourse

dlcourse.set_num_threads()
settings.register_profile("course", max_examples=60, deadline=None)
settings.load_profile("course")

_LOCAL_PREFIXES = ("127.", "::1", "localhost", "0.0.0.0")


class NetworkAccessError(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test that tries to reach a non-local address (the course must run offline).

    Local sockets stay allowed: Jupyter kernels talk to their clients over 127.0.0.1.
    """
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if sock.family == socket.AF_UNIX or str(host).startswith(_LOCAL_PREFIXES):
            return real_connect(sock, address)
        raise NetworkAccessError(f"a test tried to open a connection to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server on 127.0.0.1 (:mod:`tests.postgres`), one per test process.

    Skipped with the reason where PostgreSQL or psycopg is missing; CI sets
    ``DLCOURSE_REQUIRE_POSTGRES=1``, which turns that skip into a failure.
    """
    import os

    from tests import postgres

    if not postgres.available():
        message = (
            "PostgreSQL tests need Debian's postgresql and psycopg: run `python tools/install_postgres.py` "
            "and `pip install -r requirements.txt`"
        )
        if os.environ.get("DLCOURSE_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with postgres.PostgresServer() as server:
        yield server
