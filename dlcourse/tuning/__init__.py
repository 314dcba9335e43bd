"""Hyperparameter search from scratch, behind one interface (Optuna's: :mod:`dlcourse.studies`).

Every search here takes an **objective** ``f(params, budget) -> score``: ``params`` is a dict
of hyperparameter values, ``budget`` the resource to spend on it (for a network: epochs of
training) and ``score`` a number measured on the *validation* split. Every search returns a
:class:`SearchResult`: all the trials it ran (params, budget, score, seconds) and the best.

Search spaces are plain dicts ``{name: dimension}`` built from four dimensions
(:mod:`dlcourse.spaces`: :func:`~dlcourse.spaces.categorical`, :func:`~dlcourse.spaces.uniform`,
:func:`~dlcourse.spaces.loguniform` and :func:`~dlcourse.spaces.integer`; a plain list is shorthand
for a categorical dimension). They are importable from here too, as ``tuning.loguniform`` etc.

The package: ``results`` (:class:`Trial`, :class:`SearchResult` and the checks every search shares),
``simple`` (grid, random and zoom search), ``multifidelity`` (successive halving, Hyperband, ASHA and
:func:`toy_learning_curve`); here, the registry :data:`SEARCHES`.

Examples
--------
>>> import math
>>> space = {"lr": loguniform(1e-4, 1e-1), "act": ["relu", "tanh"]}
>>> f = lambda p, budget: -abs(math.log10(p["lr"]) + 2) + (p["act"] == "relu")
>>> result = random_search(f, space, n_trials=20, budget=1, seed=0)
>>> len(result.trials), result.best.params["act"]
(20, 'relu')
>>> hyperband_brackets(81, 3)[0]
[(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)]
"""

from __future__ import annotations

from typing import Callable

from ..spaces import (  # noqa: F401 - T.loguniform etc., as notebooks, labs and
    #                         dlcourse.evolution call them
    DIMENSIONS,
    Categorical,
    Integer,
    LogUniform,
    Uniform,
    categorical,
    check_space,
    grid,
    integer,
    loguniform,
    sample,
    uniform,
)
from .multifidelity import (
    asha,
    halving_schedule,
    hyperband,
    hyperband_brackets,
    run_halving,
    successive_halving,
    toy_learning_curve,
)
from .results import (  # noqa: F401 - the private checks: dlcourse.evolution calls them as T._budget etc.
    MODES,
    SearchResult,
    Trial,
    _budget,
    _check_objective,
    _evaluate,
)
from .simple import grid_search, random_search, zoom_search

__all__ = [
    "Trial",
    "SearchResult",
    "grid_search",
    "random_search",
    "zoom_search",
    "halving_schedule",
    "hyperband_brackets",
    "run_halving",
    "successive_halving",
    "hyperband",
    "asha",
    "toy_learning_curve",
    "SEARCHES",
    "MODES",
]


#: name -> search function, as the strategy loop's T (:mod:`dlcourse.strategy`) names them; ``"tpe"``:
#: :func:`dlcourse.studies.optuna_search`, which that module adds when it is imported (just below).
#: :meta hide-value:
SEARCHES: dict[str, Callable] = {
    "grid": grid_search,
    "random": random_search,
    "zoom": zoom_search,
    "successive_halving": successive_halving,
    "hyperband": hyperband,
    "asha": asha,
}


# The Optuna searches live in dlcourse.studies, which imports the names above: imported last, so
# that either module can be imported first. T.optuna_search is studies.optuna_search.
from .. import studies as _studies  # noqa: E402


def __getattr__(name: str):
    if name == "optuna_search":
        return _studies.optuna_search
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
