"""The packages' layout: every module of dlcourse/ and of the grading tool (grading/dlcourse_grade/) declares
``__all__`` at its top, listing exactly the public names it defines, and holds one concept in at most ~450 lines."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import dlcourse

from .package_cases import submodules

#: Every module and subpackage by full dotted name: dlcourse (the labs' helpers apart) and dlcourse_grade.
MODULES = [name for name in submodules() if not name.startswith("dlcourse.labs")]


def defined_public_names(path: Path) -> list[str]:
    """Top-level functions, classes and assigned names of a module's source that do not start with ``_``."""
    names = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            names.append(node.target.id)
    return [n for n in dict.fromkeys(names) if not n.startswith("_")]


@pytest.mark.parametrize("name", MODULES)
def test_module_lists_exactly_its_public_names_in_all(name):
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), list), f"{name} has no __all__ list"
    assert len(set(module.__all__)) == len(module.__all__), "a name is listed twice"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"__all__ names what {name} lacks: {missing}"
    expected = set(defined_public_names(source(name)))
    if hasattr(module, "__path__"):  # a package also lists what its modules list
        for info in pkgutil.iter_modules(module.__path__):
            expected |= set(importlib.import_module(f"{name}.{info.name}").__all__)
    assert set(module.__all__) == expected


def source(name: str) -> Path:
    """The file of module ``name`` (a package's ``__init__.py``)."""
    return Path(importlib.util.find_spec(name).origin)


@pytest.mark.parametrize("name", MODULES)
def test_all_comes_before_the_first_definition(name):
    body = ast.parse(source(name).read_text()).body
    first_def = next((i for i, node in enumerate(body) if isinstance(node, (ast.FunctionDef, ast.ClassDef))), len(body))
    at = next(
        i
        for i, node in enumerate(body)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    )
    assert at < first_def, f"{name}: __all__ after the first definition"


def test_package_all_names_exist():
    assert all(hasattr(dlcourse, n) for n in dlcourse.__all__)


@pytest.mark.parametrize("name", MODULES)
def test_a_module_holds_one_concept_in_at_most_450_lines(name):
    """One concept per module: a module that grows past ~450 lines (``wc -l``: code, docstrings and all) becomes
    a package whose parts each hold one concept, as ``dlcourse.optim`` and ``dlcourse.augment`` are."""
    lines = len(source(name).read_text().splitlines())
    assert lines <= 450, f"{name}: {lines} lines"
