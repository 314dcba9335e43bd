"""The checks' defence against tampering: the functions they rely on, recorded when the lab's setup cell
imports the package, and :func:`verify_integrity`, which names those replaced since."""

from __future__ import annotations

import builtins
import math

import torch

__all__ = ["verify_integrity"]

_WATCHED_EXTERNAL = {
    "torch.isclose": (torch, "isclose"),
    "torch.isnan": (torch, "isnan"),
    "torch.isinf": (torch, "isinf"),
    "torch.equal": (torch, "equal"),
    "torch.allclose": (torch, "allclose"),
    "torch.Tensor.__eq__": (torch.Tensor, "__eq__"),
    "torch.Tensor.all": (torch.Tensor, "all"),
    "torch.Tensor.any": (torch.Tensor, "any"),
    "math.isclose": (math, "isclose"),
    "builtins.print": (builtins, "print"),
    "builtins.isinstance": (builtins, "isinstance"),
    "builtins.type": (builtins, "type"),
    "builtins.all": (builtins, "all"),
    "builtins.bool": (builtins, "bool"),
    "builtins.AssertionError": (builtins, "AssertionError"),
}


#: What :func:`verify_integrity` watches, name -> (owner, attribute), and what each was at import. Here the
#: torch, math and builtin functions; the package's ``__init__`` adds its own functions and ``Checker``'s
#: methods once all its modules are loaded.
_WATCHED = dict(_WATCHED_EXTERNAL)
_SNAPSHOT = {name: getattr(owner, attr) for name, (owner, attr) in _WATCHED.items()}


def verify_integrity() -> list[str]:
    """Names of the functions the checks rely on that are no longer the ones present at import.

    Covers every function and ``Checker`` method of this module and the torch, math and
    builtin functions the comparisons use. An empty list means nothing was replaced. This
    stops casual tampering inside the student's kernel; a determined student can still
    defeat any in-process check, which is why submissions are also scanned statically
    (:mod:`dlcourse_grade.integrity`) and graded in isolation (``dlcourse-grade``).

    Returns
    -------
    list of str
        The replaced names, such as ``"torch.isclose"`` or ``"grading.Checker.close"``.
    """
    return [name for name, (owner, attr) in _WATCHED.items() if getattr(owner, attr, None) is not _SNAPSHOT[name]]


_VERIFY = verify_integrity  # the checker calls this reference, not the module attribute
