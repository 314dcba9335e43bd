"""Static integrity scan of a lab submission: what a reviewer should look at before trusting a score.

Students work in Colab, where nbgrader's cell locks do not exist, so a submission may contain
code that changes how it is graded. This scan parses (never runs) every code cell that differs
from the released notebook and flags:

- ``patches-module``: assignment to an attribute of an imported module or class
  (``torch.allclose = ...``, ``setattr(grading, ...)``, also reached through an alias,
  ``getattr(torch, "nn")`` or ``sys.modules["torch"]``) — not to one's own objects
  (``w.grad = g``, ``model.training = False``) — to a module's namespace
  (``torch.__dict__["isclose"] = ...``, ``vars(torch).update(...)``), or to ``sys.modules``;
- ``patches-builtins``: touching ``builtins``/``__builtins__``;
- ``patches-ipython``: hooking IPython's input or execution machinery (input transformers,
  AST transformers, events, magics, ``sys.settrace``);
- ``touches-checks``: any use of the grading module other than what the released cells do, and
  any change to the labs' visible checks (``lab01.part_a = ...``: :mod:`dlcourse.labs`);
- ``ignores-interrupts``: installing a signal handler (a loop that ignores SIGINT cannot be
  stopped by the grader's per-cell timeout);
- ``files-or-processes``: writing or deleting files, spawning processes;
- ``delegates``: using, inside a function (or lambda), a function the exercise asks the student
  to write themselves — called directly (``F.relu(x)``), as a tensor method (``x.relu()``) or as
  torch's module (``nn.ReLU()(x)``) — or binding its name to it (``relu = F.relu``,
  ``from torch.nn.functional import relu``). The lab lists the functions in its notebook metadata
  ``dlcourse.forbidden_calls`` and states the rule; calling them *outside* a function, to
  compare with one's own answer, is allowed and not flagged, and so is naming torch's class in a
  type test (``isinstance(layer, nn.ReLU)``, ``type(layer) is nn.ReLU``).

Names are followed through aliases: imports (``import dlcourse.grading as g``) and plain
assignments (``g = grading``, ``sh = get_ipython()``), and through ``getattr``/``setattr`` with a
constant attribute name.

A flag sends the submission to manual review; it never changes a score by itself.

The package: ``aliases`` (what a name stands for, followed through imports and assignments), ``scanner``
(:class:`Flag` and the syntax-tree visitor that raises it), ``scan`` (:func:`scan_source` and
:func:`scan_submission`, the entry points).
"""

from __future__ import annotations

from .aliases import DEFAULT_ALIASES, import_aliases
from .scan import scan_source, scan_submission
from .scanner import Flag

__all__ = ["Flag", "DEFAULT_ALIASES", "import_aliases", "scan_source", "scan_submission"]
