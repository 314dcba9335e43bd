"""Install PostgreSQL for the tests of a study or a class that outgrows one machine: Debian's ``postgresql``.

    python tools/install_postgres.py

The tests (``tests/postgres.py``) start a throwaway server of their own on 127.0.0.1 in a temporary
directory; they need only the server's binaries (``initdb``, ``pg_ctl``), not a running service.
Run as root on Debian/Ubuntu, this installs the package with apt; elsewhere it prints what to
install and exits 0: the PostgreSQL tests then skip (CI sets ``DLCOURSE_REQUIRE_POSTGRES=1``,
which turns the skip into a failure). The Python driver, psycopg 3, comes with requirements.txt.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.postgres import binaries  # noqa: E402 - the repository root is put on the path just above
from tools.install_grading_sandbox import apt_install  # noqa: E402 - the same apt-get steps


def main() -> int:
    if binaries():
        print(f"postgres: using {binaries()}")
        return 0
    if apt_install("postgresql"):
        print(f"postgres: installed {binaries()}")
        return 0
    print(
        "postgres: PostgreSQL not found. Install it (e.g. `sudo apt-get install postgresql`); until then the "
        "tests of a shared Optuna study and a shared gradebook on a database server are skipped."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
