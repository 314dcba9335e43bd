"""Searches that give every configuration the same budget: the grid, random search, and coarse-to-fine
random search ("zooming in").
"""

from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_positive, check_positive_int
from ..spaces import check_space, grid, sample
from .results import MODES, SearchResult, _budget, _check_objective, _evaluate

__all__ = [
    "grid_search",
    "random_search",
    "zoom_search",
]


def grid_search(objective, space: dict, *, budget=1, points: int = 3, mode: str = "max") -> SearchResult:
    """Evaluate ``objective`` at every point of :func:`~dlcourse.spaces.grid` ``(space, points)``, each with ``budget``.

    Parameters
    ----------
    objective : callable
        ``f(params, budget) -> score``, the score a number measured on the validation split.
    space : dict
        The search space ``{name: dimension}`` (:mod:`dlcourse.spaces`).
    budget : int or float, default 1
        Budget of every evaluation, ``> 0``.
    points : int, default 3
        Values per continuous dimension, ``>= 1``.
    mode : {"max", "min"}, default "max"
        Whether a higher or a lower score is better.

    Returns
    -------
    SearchResult
        One trial per grid point, in grid order.
    """
    objective = _check_objective(objective)
    budget, mode = _budget(budget), check_choice(mode, "mode", MODES)
    return SearchResult([_evaluate(objective, p, budget) for p in grid(space, points)], mode, "grid")


def random_search(objective, space: dict, *, n_trials: int, budget=1, seed: int = 0, mode: str = "max") -> SearchResult:
    """Evaluate ``objective`` at ``n_trials`` configurations drawn independently from ``space``
    (:func:`~dlcourse.spaces.sample`, NumPy generator seeded with ``seed``: the same seed gives the same trials).

    Parameters
    ----------
    objective : callable
        ``f(params, budget) -> score``.
    space : dict
        The search space ``{name: dimension}``.
    n_trials : int
        Number of configurations to evaluate, ``>= 1``.
    budget : int or float, default 1
        Budget of every evaluation, ``> 0``.
    seed : int, default 0
        Seed of the NumPy generator the configurations are drawn from.
    mode : {"max", "min"}, default "max"
        Whether a higher or a lower score is better.

    Returns
    -------
    SearchResult
        The ``n_trials`` trials, in the order drawn.
    """
    objective, space = _check_objective(objective), check_space(space)
    n_trials = check_positive_int(n_trials, "n_trials")
    budget, mode = _budget(budget), check_choice(mode, "mode", MODES)
    rng = np.random.default_rng(seed)
    configs = [sample(space, rng) for _ in range(n_trials)]
    return SearchResult([_evaluate(objective, p, budget) for p in configs], mode, "random")


def zoom_search(
    objective,
    space: dict,
    *,
    n_rounds: int = 3,
    n_trials: int = 8,
    budget=1,
    shrink: float = 0.5,
    seed: int = 0,
    mode: str = "max",
) -> SearchResult:
    """Coarse-to-fine random search ("zooming in").

    Round 1 is a random search over ``space``. After each round, every numeric dimension is
    narrowed to a ``shrink`` fraction of its current width (in log scale for log-uniform
    dimensions), centred on the best configuration so far and clipped to the original bounds;
    categorical dimensions keep their choices. ``n_rounds × n_trials`` evaluations in all.

    Parameters
    ----------
    objective : callable
        ``f(params, budget) -> score``.
    space : dict
        The search space ``{name: dimension}``.
    n_rounds : int, default 3
        Number of rounds, ``>= 1``.
    n_trials : int, default 8
        Configurations drawn per round, ``>= 1``.
    budget : int or float, default 1
        Budget of every evaluation, ``> 0``.
    shrink : float, default 0.5
        Width of each new range as a fraction of the current one, in ``(0, 1]``.
    seed : int, default 0
        Seed of the NumPy generator the configurations are drawn from.
    mode : {"max", "min"}, default "max"
        Whether a higher or a lower score is better.

    Returns
    -------
    SearchResult
        All the trials in the order they ran, each with its round (from 0) as ``rung``.
    """
    objective, space = _check_objective(objective), check_space(space)
    n_rounds, n_trials = check_positive_int(n_rounds, "n_rounds"), check_positive_int(n_trials, "n_trials")
    shrink = check_positive(shrink, "shrink")
    if shrink > 1:
        raise ValueError(f"shrink must be in (0, 1], got {shrink}")
    budget, mode = _budget(budget), check_choice(mode, "mode", MODES)
    rng = np.random.default_rng(seed)
    result = SearchResult([], mode, "zoom")
    current = dict(space)
    for round_ in range(n_rounds):
        for _ in range(n_trials):
            result.trials.append(_evaluate(objective, sample(current, rng), budget, bracket=None, rung=round_))
        best = result.best.params
        current = {k: (d.narrow(best[k], shrink) if hasattr(d, "narrow") else d) for k, d in current.items()}
    return result
