"""Install the grading sandbox's tool: Debian's ``bubblewrap`` (``bwrap``).

    python tools/install_grading_sandbox.py

``dlcourse-grade autograde`` runs each student's kernel under ``bwrap`` (grading/dlcourse_grade/sandbox.py) and
refuses to grade without it. Run as root on Debian/Ubuntu, this installs the package with apt;
elsewhere it prints what to install and exits 0: the end-to-end grading tests then skip (CI sets
``DLCOURSE_REQUIRE_SANDBOX=1``, which turns the skip into a failure). ``prlimit`` and ``setpriv``
come with util-linux, which every Debian system has.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def apt_install(package: str) -> bool:
    """Install Debian's ``package`` with apt-get (updating the package lists if the first try fails);
    False, with nothing done, where there is no apt-get or this is not root."""
    if not (shutil.which("apt-get") and os.geteuid() == 0):
        return False
    print(f"installing Debian's {package} with apt-get …", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(install, check=True, env=env, stdout=subprocess.DEVNULL)
    return True


def main() -> int:
    if shutil.which("bwrap"):
        print(f"sandbox: using {shutil.which('bwrap')}")
        return 0
    if apt_install("bubblewrap"):
        print(f"sandbox: installed {shutil.which('bwrap')}")
        return 0
    print(
        "sandbox: bwrap not found. Install bubblewrap (e.g. `sudo apt-get install bubblewrap`); until then "
        "dlcourse-grade autograde refuses to run and its end-to-end tests are skipped."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
