"""Cut a release: one version number for the package and for every notebook's Colab install cell.

    python tools/release.py 0.2.0
    git commit -am "Release 0.2.0" && git tag v0.2.0 && git push && git push --tags

In Colab, the first cell of every chapter and lab installs the course library from the
repository. It installs the *tag* of a release (``@v0.2.0``), never the moving head of the
default branch: a chapter recorded against one version of the library keeps running against
it when the library changes. This script sets the version in ``pyproject.toml`` and
``dlcourse/__init__.py``, writes the install cell, pinned to ``v<version>``, into every notebook
of ``book/`` and ``solutions/``, and regenerates the students' releases in ``labs/`` with
``nbgrader generate_assignment`` (the install cell is a locked cell: nbgrader keeps its checksum). The repository URL comes from
``_config.yml``, the one place it is set. Push the tag before students open the notebooks:
until it exists, the install cell fails (and says so, with pip's own message).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]

INSTALL_CELL = """\
# In Google Colab, install the course library (release {version}); elsewhere this cell does nothing.
import subprocess, sys
if "google.colab" in sys.modules:
    release = "dlcourse @ git+{url}@v{version}"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", release],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        print(pip.stdout[-2000:], pip.stderr[-4000:], sep="\\n")
        raise RuntimeError(
            "Installing the course library failed; pip's messages are printed above. Check that "
            "the runtime is connected to the internet, then choose Runtime > Restart session and "
            "run this cell again. If it fails again, report pip's messages at "
            "{url}/issues")"""

_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def repository_url() -> str:
    """The repository URL, set once in ``_config.yml``."""
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def install_cell(version: str, url: str | None = None) -> str:
    """The source of the Colab install cell for release ``version``."""
    return INSTALL_CELL.format(version=version, url=url or repository_url())


def notebooks() -> list[Path]:
    """The notebooks the install cell is written into: the chapters and the labs' sources."""
    return sorted([*(ROOT / "book").glob("*.ipynb"), *(ROOT / "solutions").glob("*/*.ipynb")])


def set_version(version: str) -> list[Path]:
    """Write ``version`` into the package and every notebook's install cell; returns the files changed."""
    if not _VERSION.match(version):
        raise ValueError(f"version must look like 1.2.3, got {version!r}")
    changed = []
    for path, pattern, replacement in (
        (ROOT / "pyproject.toml", r'(?m)^version = "[^"]*"', f'version = "{version}"'),
        (ROOT / "dlcourse" / "__init__.py", r'(?m)^__version__ = "[^"]*"', f'__version__ = "{version}"'),
    ):
        text = path.read_text()
        new = re.sub(pattern, replacement, text, count=1)
        if new != text:
            path.write_text(new)
            changed.append(path)
    source = install_cell(version)
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        if first.cell_type != "code" or '"google.colab" in sys.modules' not in first.source:
            raise ValueError(f"{path}: the first cell is not the Colab install cell")
        if first.source != source:
            first.source = source
            nbformat.write(nb, path)
            changed.append(path)
    for lab in sorted(p.parent.name for p in changed if p.parent.parent.name == "solutions"):
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        changed.append(ROOT / "labs" / lab / f"{lab}.ipynb")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", help="the new version, e.g. 0.2.0 (the tag is v0.2.0)")
    args = parser.parse_args(argv)
    changed = set_version(args.version)
    for path in changed:
        print(f"updated {path.relative_to(ROOT)}")
    print(f"now commit, then: git tag v{args.version} && git push --tags")
    return 0


if __name__ == "__main__":
    sys.exit(main())
