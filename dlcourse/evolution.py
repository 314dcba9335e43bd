r"""Evolutionary hyperparameter search: a (μ + λ) evolution strategy behind the tuning interface.

An **evolution strategy** keeps a *population* of configurations and improves it by variation
and selection, as breeders do: copy a good configuration with small random changes
(*mutation*), score the copies, keep the best. It needs no gradient and no model of the
objective, only scores, so it works on any search space :mod:`dlcourse.tuning` can describe,
categorical dimensions included. It takes the same objective ``f(params, budget) -> score``
and returns the same :class:`~dlcourse.tuning.SearchResult` as the searches there, so its
trials can be compared with theirs at equal budget.

The (μ + λ) scheme (Schwefel's notation; Beyer & Schwefel 2002):

1. draw :math:`\mu` configurations from the space, as random search does, and score them: the
   parents :math:`P_0`;
2. for each generation :math:`g = 1, \dots, G`, make :math:`\lambda` children: each copies a
   parent drawn uniformly from :math:`P_{g-1}` and :func:`mutate` s it; score the children;
3. keep the best :math:`\mu` of parents *and* children: :math:`P_g = \operatorname{best}_\mu
   (P_{g-1} \cup C_g)` (the "plus" selection; a comma (μ, λ) strategy would keep children only).

A surviving parent is not scored again. Plus selection is *elitist*: the best configuration
never gets lost, and the last population is the :math:`\mu` best of all trials. The cost is
:math:`\mu + G\lambda` evaluations of ``budget`` each.

Examples
--------
>>> import math
>>> from dlcourse import tuning as T
>>> space = {"lr": T.loguniform(1e-4, 1e-1), "act": ["relu", "tanh"]}
>>> f = lambda p, budget: -abs(math.log10(p["lr"]) + 2) + (p["act"] == "relu")
>>> result = evolution_search(f, space, mu=3, lam=3, n_generations=4, seed=2)
>>> len(result.trials), result.method, [t.rung for t in result.trials][:7]
(15, 'evolution', [0, 0, 0, 1, 1, 1, 2])
>>> result.best.params["act"], abs(math.log10(result.best.params["lr"]) + 2) < 0.5
('relu', True)
"""

from __future__ import annotations

import math

import numpy as np

from . import tuning as T
from ._checks import check_choice, check_positive, check_positive_int, check_probability

__all__ = ["mutate", "evolution_search"]


def _unit(dim, value) -> tuple[float, float, float]:
    """``value`` of a numeric dimension as ``(u, lo, hi)``: its position ``u`` in [0, 1] between ``lo`` and ``hi``
    (in the logarithm for log-scaled dimensions)."""
    log = isinstance(dim, T.LogUniform) or (isinstance(dim, T.Integer) and dim.log)
    lo, hi, x = (math.log(dim.low), math.log(dim.high), math.log(value)) if log else (dim.low, dim.high, value)
    return ((x - lo) / (hi - lo) if hi > lo else 0.0), lo, hi


def _reflect(u: float) -> float:
    """Fold ``u`` back into [0, 1] by reflection at the ends (a step past a bound bounces back)."""
    u = abs(u) % 2.0
    return 2.0 - u if u > 1.0 else u


def mutate(params: dict, space: dict, rng: np.random.Generator, *, sigma: float = 0.15, p_switch: float = 0.3) -> dict:
    r"""A child of ``params``: every dimension of ``space`` changed a little, at random.

    * a numeric dimension on :math:`[a, b]` moves in its unit coordinate
      :math:`u = (x - a)/(b - a)` (of :math:`\log x` for a log-scaled dimension):
      :math:`u' = u + \sigma z,\ z \sim \mathcal N(0, 1)`, reflected back into :math:`[0, 1]`;
      an integer dimension is then rounded. :math:`\sigma` is a fraction of the range: 0.15
      moves a learning rate on :math:`[10^{-3}, 1]` by about half a decade;
    * a categorical dimension is redrawn uniformly with probability ``p_switch`` (it may draw
      the same choice again).

    Parameters
    ----------
    params : dict
        The parent configuration; must have a value for every dimension of ``space`` (other keys are copied).
    space : dict
        The search space, as in :mod:`dlcourse.tuning` (name -> dimension or list of choices).
    rng : numpy.random.Generator
        The source of randomness.
    sigma : float, default 0.15
        Step size :math:`\sigma`, a fraction of each numeric range; must be > 0.
    p_switch : float, default 0.3
        Probability of redrawing a categorical dimension, in [0, 1].

    Returns
    -------
    dict
        The child configuration (a new dict; ``params`` is not modified).

    Raises
    ------
    ValueError
        If ``params`` lacks a dimension of ``space``, or ``sigma`` or ``p_switch`` is out of range.
    """
    space = T.check_space(space)
    sigma = check_positive(sigma, "sigma")
    p_switch = check_probability(p_switch, "p_switch")
    missing = set(space) - set(params)
    if missing:
        raise ValueError(f"params lacks the space's dimensions {sorted(missing)}")
    child = dict(params)
    for name, dim in space.items():
        if isinstance(dim, T.Categorical):
            if rng.random() < p_switch:
                child[name] = dim.sample(rng)
            continue
        u, lo, hi = _unit(dim, params[name])
        x = lo + (hi - lo) * _reflect(u + sigma * rng.standard_normal())
        log = isinstance(dim, T.LogUniform) or (isinstance(dim, T.Integer) and dim.log)
        x = math.exp(x) if log else x
        if isinstance(dim, T.Integer):
            child[name] = int(min(dim.high, max(dim.low, round(x))))
        else:
            child[name] = float(min(dim.high, max(dim.low, x)))  # exp(log b) may round a hair past b
    return child


def evolution_search(
    objective,
    space: dict,
    *,
    mu: int = 4,
    lam: int = 4,
    n_generations: int = 3,
    budget=1,
    sigma: float = 0.15,
    p_switch: float = 0.3,
    seed: int = 0,
    mode: str = "max",
) -> T.SearchResult:
    """A (μ + λ) evolution strategy (module docstring): ``mu`` random parents, then ``n_generations``
    generations of ``lam`` mutated children each (:func:`mutate` with ``sigma`` and ``p_switch``),
    keeping the best ``mu`` of parents and children. ``mu + n_generations * lam`` trials, each
    with ``budget``; a trial's ``rung`` is its generation (0: the random start). The first ``mu``
    configurations are those :func:`~dlcourse.tuning.random_search` draws with the same ``seed``.

    Parameters
    ----------
    objective : callable
        ``objective(params, budget) -> float``, the score of a configuration.
    space : dict
        The search space, as in :mod:`dlcourse.tuning`.
    mu : int, default 4
        Population size μ (number of parents kept); must be >= 1.
    lam : int, default 4
        Children per generation λ; must be >= 1.
    n_generations : int, default 3
        Number of generations G; must be >= 1.
    budget : int or float, default 1
        The budget every trial gets (e.g. epochs); must be > 0.
    sigma : float, default 0.15
        Mutation step of :func:`mutate`; must be > 0.
    p_switch : float, default 0.3
        Probability of redrawing a categorical dimension in :func:`mutate`, in [0, 1].
    seed : int, default 0
        Seed of the random draws.
    mode : {"max", "min"}, default "max"
        Whether a higher or a lower score is better.

    Returns
    -------
    dlcourse.tuning.SearchResult
        All ``mu + n_generations * lam`` trials in the order run, with method ``"evolution"``.
    """
    objective, space = T._check_objective(objective), T.check_space(space)
    mu, lam = check_positive_int(mu, "mu"), check_positive_int(lam, "lam")
    n_generations = check_positive_int(n_generations, "n_generations")
    sigma, p_switch = check_positive(sigma, "sigma"), check_probability(p_switch, "p_switch")
    budget, mode = T._budget(budget), check_choice(mode, "mode", T.MODES)
    rng = np.random.default_rng(seed)
    result = T.SearchResult([], mode, "evolution")
    parents = [T.sample(space, rng) for _ in range(mu)]  # the same draws as random_search(seed=seed)
    population = [T._evaluate(objective, p, budget, rung=0) for p in parents]
    result.trials += population
    sign = 1.0 if mode == "max" else -1.0

    def rank(trial):  # best first; NaN scores last; sorted() is stable, so ties keep the older trial
        return (math.isnan(trial.score), -sign * trial.score)

    for generation in range(1, n_generations + 1):
        children = []
        for _ in range(lam):
            parent = population[int(rng.integers(len(population)))]
            child = mutate(parent.params, space, rng, sigma=sigma, p_switch=p_switch)
            children.append(T._evaluate(objective, child, budget, rung=generation))
        result.trials += children
        population = sorted(population + children, key=rank)[:mu]
    return result
