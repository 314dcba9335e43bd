"""Every public function, class and method documents its arguments and result in numpydoc form.

The API reference (``book/api.md``) is generated from these docstrings by Sphinx's napoleon
extension, so a missing ``Parameters`` section is a hole in the rendered reference. The rules:

- every public function, class and public method has a docstring;
- if it takes arguments (``self``/``cls`` aside; a class's are its ``__init__``'s), a
  ``Parameters`` (or ``Other Parameters``) section names every one of them;
- a function or method that returns or yields a value has a ``Returns`` or ``Yields`` section.

"Public" means listed in the module's ``__all__`` and defined in that module; private modules
(``dlcourse._checks``) are internal.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap

import pytest

from .package_cases import PACKAGES, submodules

MODULES = [
    name
    for name in [package.__name__ for package in PACKAGES] + submodules()
    if not any(part.startswith("_") for part in name.split("."))
]
HEADER = re.compile(r"^(\w[\w ]*)\n-{3,}[ \t]*$", re.M)


def sections(doc: str) -> dict[str, str]:
    """The numpydoc sections of a docstring: header -> body."""
    parts = HEADER.split(inspect.cleandoc(doc))
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def documented_names(body: str) -> set[str]:
    """Names on the unindented lines of a Parameters section (``a, b : int`` documents both)."""
    names = set()
    for line in body.splitlines():
        if line and not line[0].isspace():
            names |= {n.strip().lstrip("*") for n in line.split(" : ")[0].split(",")}
    return names


def arguments(fn, *, bound: bool) -> list[str]:
    try:
        parameters = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # a builtin slot without a signature
        return []
    return [p for p in parameters[1 if bound else 0 :] if p not in ("self", "cls")]


def returns_value(fn) -> bool:
    """Whether ``fn`` returns or yields something: its annotation says so, or a ``return x`` / ``yield``."""
    node = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
    if node.returns is not None:
        return ast.unparse(node.returns).strip("'\"") not in ("None", "NoReturn")
    nested = {
        id(n)
        for inner in ast.walk(node)
        if inner is not node and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for n in ast.walk(inner)
    }
    return any(
        id(n) not in nested
        and (
            isinstance(n, (ast.Yield, ast.YieldFrom))
            or (
                isinstance(n, ast.Return)
                and n.value is not None
                and not (isinstance(n.value, ast.Constant) and n.value.value is None)
            )
        )
        for n in ast.walk(node)
    )


def problems(obj, qualname: str, *, method: bool = False) -> list[str]:
    doc = obj.__doc__ if method else inspect.getdoc(obj)
    if not doc or not doc.strip():
        return [f"{qualname}: no docstring"]
    found = sections(doc)
    if inspect.isclass(obj):
        args = arguments(obj.__init__, bound=True) if "__init__" in vars(obj) else []
    else:
        args = arguments(obj, bound=method)
    out = []
    if args:
        documented = documented_names(found.get("Parameters", "")) | documented_names(found.get("Other Parameters", ""))
        missing = [a for a in args if a not in documented]
        if missing:
            out.append(f"{qualname}: Parameters does not name {missing}")
    if not inspect.isclass(obj) and returns_value(obj) and not {"Returns", "Yields"} & set(found):
        out.append(f"{qualname}: returns a value but has no Returns section")
    return out


def public_objects(module_name: str):
    module = importlib.import_module(module_name)
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module_name:
            yield f"{module_name}.{name}", obj, False
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    if not attr.startswith("_") and inspect.isfunction(member):
                        yield f"{module_name}.{name}.{attr}", member, not isinstance(vars(obj)[attr], staticmethod)


@pytest.mark.parametrize("module_name", MODULES)
def test_public_api_has_numpydoc_parameters_and_returns(module_name):
    found = [p for qualname, obj, method in public_objects(module_name) for p in problems(obj, qualname, method=method)]
    assert not found, f"{len(found)} docstring gaps:\n" + "\n".join(found)


def test_the_check_finds_the_gaps_it_is_meant_to_find():
    def undocumented(a, b=1):
        """Add."""
        return a + b

    def documented(a, b=1):
        """Add.

        Parameters
        ----------
        a, b : int
            The terms.

        Returns
        -------
        int
        """
        return a + b

    def procedure(x):
        """Print ``x``.

        Parameters
        ----------
        x : object
            What to print.
        """
        print(x)

    assert problems(undocumented, "u") == [
        "u: Parameters does not name ['a', 'b']",
        "u: returns a value but has no Returns section",
    ]
    assert problems(documented, "d") == []
    assert problems(procedure, "p") == []
    assert problems(lambda: None, "l") == ["l: no docstring"]


def test_every_module_is_in_the_api_reference():
    """A module missing from book/api.md has docstrings no reader sees; a package's page covers its modules."""
    from pathlib import Path

    page = (Path(__file__).parents[1] / "book" / "api.md").read_text()
    documented = set(re.findall(r"^\.\. automodule:: (\S+)$", page, flags=re.M))
    top_level = {".".join(name.split(".")[:2]) for name in MODULES if "." in name}
    assert sorted(top_level - documented) == []
