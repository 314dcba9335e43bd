"""The modules of the repository's two packages, the student library and the grading tool, by full dotted name:
what the layout test (test_package.py) and the docstring test (test_docstrings.py) walk."""

from __future__ import annotations

import pkgutil

import dlcourse
import dlcourse_grade

PACKAGES = (dlcourse, dlcourse_grade)


def submodules() -> list[str]:
    """Every module and subpackage below ``dlcourse`` and ``dlcourse_grade`` (walked with the full prefix, so a
    subpackage is never imported by its bare name)."""
    return sorted(
        info.name
        for package in PACKAGES
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
    )
