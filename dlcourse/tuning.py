"""Hyperparameter search from scratch, behind one interface (Optuna's: :mod:`dlcourse.studies`).

Every search here takes an **objective** ``f(params, budget) -> score``: ``params`` is a dict
of hyperparameter values, ``budget`` the resource to spend on it (for a network: epochs of
training) and ``score`` a number measured on the *validation* split. Every search returns a
:class:`SearchResult`: all the trials it ran (params, budget, score, seconds) and the best.

Search spaces are plain dicts ``{name: dimension}`` built from four dimensions
(:mod:`dlcourse.spaces`: :func:`~dlcourse.spaces.categorical`, :func:`~dlcourse.spaces.uniform`,
:func:`~dlcourse.spaces.loguniform` and :func:`~dlcourse.spaces.integer`; a plain list is shorthand
for a categorical dimension). They are importable from here too, as ``tuning.loguniform`` etc.

Examples
--------
>>> space = {"lr": loguniform(1e-4, 1e-1), "act": ["relu", "tanh"]}
>>> f = lambda p, budget: -abs(math.log10(p["lr"]) + 2) + (p["act"] == "relu")
>>> result = random_search(f, space, n_trials=20, budget=1, seed=0)
>>> len(result.trials), result.best.params["act"]
(20, 'relu')
>>> hyperband_brackets(81, 3)[0]
[(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)]
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np

from ._checks import check_choice, check_positive, check_positive_int
from .spaces import (  # noqa: F401 - T.loguniform etc., as notebooks, labs and
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

MODES = ("max", "min")


# --------------------------------------------------------------------------- trials and results
@dataclass
class Trial:
    """One evaluation of the objective: its hyperparameters, budget, score and wall time."""

    params: dict
    budget: float
    score: float
    seconds: float
    bracket: int | None = None
    rung: int | None = None
    pruned: bool = False

    def as_dict(self) -> dict:
        row = dict(self.params)
        row.update(budget=self.budget, score=self.score, seconds=self.seconds)
        if self.bracket is not None:
            row.update(bracket=self.bracket, rung=self.rung)
        if self.pruned:
            row.update(pruned=True)
        return row


@dataclass
class SearchResult:
    """All the trials a search ran, in order, and the best by score (``mode`` ``"max"`` or ``"min"``)."""

    trials: list[Trial] = field(default_factory=list)
    mode: str = "max"
    method: str = ""

    @property
    def best(self) -> Trial:
        if not self.trials:
            raise ValueError("trials is empty: the search ran nothing")
        key = (lambda t: t.score) if self.mode == "max" else (lambda t: -t.score)
        return max((t for t in self.trials if not math.isnan(t.score)), key=key, default=self.trials[0])

    @property
    def total_budget(self) -> float:
        """Sum of the budgets of all trials (the resource spent, e.g. epochs)."""
        return float(sum(t.budget for t in self.trials))

    def best_so_far(self) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative budget spent after each trial, and the best score seen up to then."""
        spent = np.cumsum([t.budget for t in self.trials], dtype=float)
        scores = np.array([t.score for t in self.trials], dtype=float)
        scores = np.where(np.isnan(scores), -np.inf if self.mode == "max" else np.inf, scores)
        best = np.maximum.accumulate(scores) if self.mode == "max" else np.minimum.accumulate(scores)
        return spent, best

    def table(self):
        """The trials as a pandas ``DataFrame``, one row per trial."""
        import pandas as pd

        return pd.DataFrame([t.as_dict() for t in self.trials])

    def __len__(self) -> int:
        return len(self.trials)


def _check_objective(objective) -> Callable:
    if not callable(objective):
        raise TypeError(f"objective must be callable f(params, budget) -> score, got {type(objective).__name__}")
    return objective


def _evaluate(objective, params: dict, budget, **extra) -> Trial:
    start = time.perf_counter()
    score = float(objective(dict(params), budget))
    return Trial(dict(params), budget, score, time.perf_counter() - start, **extra)


def _budget(budget):
    """A positive budget; ints stay ints (epochs)."""
    if isinstance(budget, numbers.Integral) and not isinstance(budget, bool):
        return check_positive_int(budget, "budget")
    return check_positive(budget, "budget")


# --------------------------------------------------------------------------- grid, random, zoom
def grid_search(objective, space: dict, *, budget=1, points: int = 3, mode: str = "max") -> SearchResult:
    """Evaluate ``objective`` at every point of :func:`~dlcourse.spaces.grid` ``(space, points)``, each with ``budget``."""
    objective = _check_objective(objective)
    budget, mode = _budget(budget), check_choice(mode, "mode", MODES)
    return SearchResult([_evaluate(objective, p, budget) for p in grid(space, points)], mode, "grid")


def random_search(objective, space: dict, *, n_trials: int, budget=1, seed: int = 0, mode: str = "max") -> SearchResult:
    """Evaluate ``objective`` at ``n_trials`` configurations drawn independently from ``space``
    (:func:`~dlcourse.spaces.sample`, NumPy generator seeded with ``seed``: the same seed gives the same trials)."""
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


# --------------------------------------------------------------------------- successive halving, Hyperband
def _exact(value: Fraction):
    return int(value) if value.denominator == 1 else float(value)


def halving_schedule(n_configs: int, min_budget, eta: int = 3, n_rounds: int | None = None) -> list[tuple]:
    r"""The rungs of successive halving as ``[(n_i, r_i), ...]`` (Li et al. 2017, Algorithm 1, inner loop):

    .. math:: n_i = \lfloor n\,\eta^{-i} \rfloor, \qquad r_i = r\,\eta^{i}, \qquad i = 0, \dots, s,

    where ``n_rounds = s + 1`` defaults to the number of rungs until one configuration is left.
    After rung ``i`` the best :math:`\lfloor n_i/\eta \rfloor` configurations move up.

    >>> halving_schedule(81, 1, 3)
    [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)]
    """
    n_configs = check_positive_int(n_configs, "n_configs")
    min_budget = min_budget if isinstance(min_budget, Fraction) else Fraction(_budget(min_budget))
    eta = check_positive_int(eta, "eta")
    if eta < 2:
        raise ValueError(f"eta must be >= 2, got {eta}")
    if n_rounds is None:
        n_rounds = 1
        while n_configs // eta**n_rounds >= 1:
            n_rounds += 1
    n_rounds = check_positive_int(n_rounds, "n_rounds")
    return [(n_configs // eta**i, _exact(min_budget * eta**i)) for i in range(n_rounds) if n_configs // eta**i >= 1]


def hyperband_brackets(max_budget, eta: int = 3) -> list[list[tuple]]:
    r"""Hyperband's brackets for maximum resource :math:`R` and reduction factor :math:`\eta`
    (Li et al. 2017, Algorithm 1): with :math:`s_{\max} = \lfloor \log_\eta R \rfloor` and
    :math:`B = (s_{\max} + 1) R`, bracket :math:`s = s_{\max}, \dots, 0` starts

    .. math:: n = \Bigl\lceil \frac{B}{R} \frac{\eta^s}{s + 1} \Bigr\rceil \text{ configurations at }
              r = R\,\eta^{-s},

    then runs successive halving :math:`(n_i, r_i) = (\lfloor n\eta^{-i}\rfloor, r\eta^i)`,
    :math:`i = 0..s`. Returned as one list of ``(n_i, r_i)`` per bracket, largest ``s`` first.
    """
    R, eta = Fraction(_budget(max_budget)), check_positive_int(eta, "eta")
    if eta < 2:
        raise ValueError(f"eta must be >= 2, got {eta}")
    s_max = 0
    while eta ** (s_max + 1) <= R:  # exact integer/fraction arithmetic: no log rounding
        s_max += 1
    brackets = []
    for s in range(s_max, -1, -1):
        n = math.ceil(Fraction(s_max + 1) * Fraction(eta) ** s / (s + 1))
        r = R / Fraction(eta) ** s
        brackets.append(halving_schedule(n, r, eta, n_rounds=s + 1))
    return brackets


def _run_halving(objective, configs: list[dict], schedule, eta: int, result: SearchResult, bracket=None):
    sign = 1 if result.mode == "max" else -1
    for rung, (n_i, r_i) in enumerate(schedule):
        configs = configs[:n_i]
        scored = []
        for params in configs:
            trial = _evaluate(objective, params, r_i, bracket=bracket, rung=rung)
            result.trials.append(trial)
            scored.append((trial.score, params))
        order = sorted(range(len(scored)), key=lambda j: (math.isnan(scored[j][0]), -sign * scored[j][0]))
        configs = [scored[j][1] for j in order][: max(n_i // eta, 1)]
    return result


def run_halving(
    objective, configs: list, *, min_budget=1, eta: int = 3, n_rounds: int | None = None, mode: str = "max"
) -> SearchResult:
    r"""Successive halving over the given list of configurations (in order): rung ``i`` evaluates the
    first :math:`n_i` of the current ranking with budget :math:`r_i` (:func:`halving_schedule`),
    then keeps the best :math:`\lfloor n_i/\eta \rfloor`, best first (ties keep the earlier one)."""
    objective = _check_objective(objective)
    if not isinstance(configs, (list, tuple)) or not configs:
        raise ValueError("configs must be a non-empty list of parameter dicts")
    mode = check_choice(mode, "mode", MODES)
    schedule = halving_schedule(len(configs), min_budget, eta, n_rounds)
    return _run_halving(objective, list(configs), schedule, eta, SearchResult([], mode, "successive halving"))


def successive_halving(
    objective,
    space: dict,
    *,
    n_configs: int,
    min_budget=1,
    eta: int = 3,
    n_rounds: int | None = None,
    seed: int = 0,
    mode: str = "max",
) -> SearchResult:
    r"""Successive halving (Jamieson & Talwalkar 2016; the inner loop of Hyperband).

    Draw ``n_configs`` random configurations, give each ``min_budget``; keep the best
    :math:`1/\eta` and multiply their budget by :math:`\eta`; repeat (see :func:`halving_schedule`).
    Every configuration is trained from scratch at each rung, so the cost is
    :math:`\sum_i n_i r_i`.
    """
    space = check_space(space)
    n_configs = check_positive_int(n_configs, "n_configs")
    rng = np.random.default_rng(seed)
    configs = [sample(space, rng) for _ in range(n_configs)]
    return run_halving(objective, configs, min_budget=min_budget, eta=eta, n_rounds=n_rounds, mode=mode)


def hyperband(
    objective, space: dict, *, max_budget, eta: int = 3, seed: int = 0, mode: str = "max", brackets: int | None = None
) -> SearchResult:
    """Hyperband (Li et al. 2017): successive halving run once per bracket of
    :func:`hyperband_brackets` ``(max_budget, eta)``, from the most exploratory bracket (many
    configurations, small budget) to plain random search at ``max_budget``. ``brackets`` limits
    how many brackets run (default: all)."""
    objective, space = _check_objective(objective), check_space(space)
    mode = check_choice(mode, "mode", MODES)
    table = hyperband_brackets(max_budget, eta)
    if brackets is not None:
        table = table[: check_positive_int(brackets, "brackets")]
    rng = np.random.default_rng(seed)
    result = SearchResult([], mode, "hyperband")
    s_max = len(hyperband_brackets(max_budget, eta)) - 1
    for k, schedule in enumerate(table):
        configs = [sample(space, rng) for _ in range(schedule[0][0])]
        _run_halving(objective, configs, schedule, eta, result, bracket=s_max - k)
    return result


def toy_learning_curve(params: dict, budget) -> float:
    r"""A synthetic objective for trying searches without training: a learning curve in closed form,

    .. math:: \text{score}(\eta, b) = \bigl(0.95 - 0.08\,(\log_{10}\eta + 1.5)^2\bigr)
              \bigl(1 - e^{-b\sqrt{\eta}/0.3}\bigr),

    for ``params["lr"]`` :math:`= \eta` and budget :math:`b` (epochs). The final score peaks at
    :math:`\eta \approx 0.03`; small learning rates approach theirs slowly, so an early score
    under-rates them, as in a real network.

    >>> round(toy_learning_curve({"lr": 0.03}, 9), 4), round(toy_learning_curve({"lr": 0.03}, 1), 4)
    (0.9447, 0.4167)
    """
    lr = check_positive(params["lr"], "params['lr']")
    budget = check_positive(budget, "budget")
    return (0.95 - 0.08 * (math.log10(lr) + 1.5) ** 2) * (1 - math.exp(-budget * lr**0.5 / 0.3))


def asha(
    objective, space: dict, *, max_budget, total_budget, min_budget=1, eta: int = 3, seed: int = 0, mode: str = "max"
) -> SearchResult:
    r"""Asynchronous successive halving (ASHA; Li et al. 2020, Algorithm 2), simulated with one worker.

    The rungs are :math:`k = 0, \dots, K` with budgets :math:`r_k = r\,\eta^k \le R` (``min_budget`` :math:`r`,
    ``max_budget`` :math:`R`). Whenever a worker is free, it asks for a job:

    1. from the highest rung down, if some configuration is among the best
       :math:`\lfloor n_k/\eta \rfloor` of the :math:`n_k` results at rung :math:`k < K` so far and has not been
       promoted yet, train it again with budget :math:`r_{k+1}` (the best such one first);
    2. otherwise draw a new configuration and train it with :math:`r_0`.

    Synchronous successive halving waits until a whole rung is done before promoting anything; ASHA
    promotes as soon as a configuration is in the top :math:`1/\eta` of what has finished, so a worker is
    never idle and full-budget results arrive early. The price: early promotions are decided on few
    results. Jobs run until the next one would exceed ``total_budget``; trials are returned in the order
    they ran, with their rung.
    """
    objective, space = _check_objective(objective), check_space(space)
    mode = check_choice(mode, "mode", MODES)
    eta = check_positive_int(eta, "eta")
    if eta < 2:
        raise ValueError(f"eta must be >= 2, got {eta}")
    r, R = Fraction(_budget(min_budget)), Fraction(_budget(max_budget))
    if r > R:
        raise ValueError(f"min_budget must be <= max_budget, got {min_budget} > {max_budget}")
    total_budget = check_positive(total_budget, "total_budget")
    top = 0
    while r * eta ** (top + 1) <= R:
        top += 1
    sign = 1 if mode == "max" else -1
    rungs: list[list[tuple[float, int]]] = [[] for _ in range(top + 1)]  # (score, config index) per rung
    promoted: list[set[int]] = [set() for _ in range(top + 1)]
    configs: list[dict] = []
    rng = np.random.default_rng(seed)
    result, spent = SearchResult([], mode, "asha"), 0.0
    while True:
        job = None
        for k in range(top - 1, -1, -1):
            ranked = sorted(rungs[k], key=lambda e: (math.isnan(e[0]), -sign * e[0], e[1]))
            ready = [i for _, i in ranked[: len(ranked) // eta] if i not in promoted[k]]
            if ready:
                job = (ready[0], k + 1)
                promoted[k].add(ready[0])
                break
        if job is None:
            configs.append(sample(space, rng))
            job = (len(configs) - 1, 0)
        index, rung = job
        budget = _exact(r * eta**rung)
        if spent + budget > total_budget:
            return result
        trial = _evaluate(objective, configs[index], budget, rung=rung)
        result.trials.append(trial)
        rungs[rung].append((trial.score, index))
        spent += budget


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
from . import studies as _studies  # noqa: E402


def __getattr__(name: str):
    if name == "optuna_search":
        return _studies.optuna_search
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
