"""``dlcourse-grade autograde``: each submission graded by nbgrader in a private course, its kernel in the sandbox.

The package: ``batch`` (:func:`autograde`: the lab's submissions in parallel, in shards across hosts), ``single``
(:func:`grade_one`: one submission), ``submission`` (a submitted notebook read and repaired before grading),
``isolation`` (the private course, home, environment and sandbox of each grading run), ``outcome`` (the
:class:`Result`, the scores read back, the check that test cells ran their checks).
"""

from __future__ import annotations

from .batch import autograde, in_shard, parse_shard
from .isolation import (
    FIRST_SANDBOX_UID,
    WITHHELD_PREFIXES,
    isolated_home,
    private_dirs,
    private_environment,
    sandbox_environment,
    sqlite_gradebook_url,
)
from .outcome import (  # noqa: F401 - _errors, _output_text: not in __all__ (private); gradebook and feedback import them
    Result,
    _errors,
    _output_text,
    verify_checks_ran,
)
from .single import grade_one
from .submission import restore_metadata

__all__ = [
    "Result",
    "autograde",
    "grade_one",
    "parse_shard",
    "in_shard",
    "sqlite_gradebook_url",
    "isolated_home",
    "WITHHELD_PREFIXES",
    "private_environment",
    "private_dirs",
    "FIRST_SANDBOX_UID",
    "sandbox_environment",
    "restore_metadata",
    "verify_checks_ran",
]
