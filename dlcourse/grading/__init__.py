"""Friendly checks for the labs' test cells.

Students run the labs in Colab, where nbgrader does not run: the visible test cells call
these checks, which print one line per check (what was called, what was expected, what
came back) and raise ``AssertionError`` at the end if any failed, so that nbgrader, when
it grades the same cell, gives no points for it.

The package: ``checker`` (:class:`Checker`, its cases and the one-call checks), ``compare`` (how
a value is compared with the expected one and described), ``integrity`` (:func:`verify_integrity`);
here, the list of the package's own functions that :func:`verify_integrity` watches. Import
everything from ``dlcourse.grading``.

Examples
--------
>>> import torch
>>> check_function(torch.relu, torch.relu, [torch.tensor([-1.0, 2.0])], name="relu")
✔ relu(tensor([-1., 2.])) matches the reference
"""

from __future__ import annotations

import sys
from types import ModuleType

from .checker import (
    FAIL,
    NOT_IMPLEMENTED,
    PASS,
    Case,
    Checker,
    CheckFailed,
    _stopped_by,  # noqa: F401 - not in __all__ (private); dlcourse.labs imports it
    check_close,
    check_function,
)
from .compare import describe
from .integrity import _SNAPSHOT, _WATCHED, verify_integrity

__all__ = [
    "PASS",
    "FAIL",
    "NOT_IMPLEMENTED",
    "CheckFailed",
    "describe",
    "Case",
    "Checker",
    "check_function",
    "check_close",
    "verify_integrity",
]


def _own_functions() -> dict[str, object]:
    # Each function of the package is watched wherever it is looked up: in the package, where a lab's
    # cells call it (``grading.check_close``), and in each of its modules, where the checks call it
    # (``grading.checker._mismatch``).
    module = sys.modules[__name__]
    modules = [module] + [
        v for v in vars(module).values() if isinstance(v, ModuleType) and v.__name__.startswith(f"{__name__}.")
    ]
    own = {m.__name__ for m in modules}
    names = {
        f"{m.__name__.split('.', 1)[1]}.{n}": (m, n)
        for m in modules
        for n, v in vars(m).items()
        if callable(v) and getattr(v, "__module__", None) in own and not n.startswith("__")
    }
    names.update(
        {
            f"grading.Checker.{n}": (Checker, n)
            for n, v in vars(Checker).items()
            if callable(v) and not n.startswith("__")
        }
    )
    return names


_WATCHED.update(_own_functions())
_SNAPSHOT.update({name: getattr(owner, attr) for name, (owner, attr) in _WATCHED.items()})
