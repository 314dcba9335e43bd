"""Hyperparameter search from scratch, behind one interface (Optuna's: :mod:`dlcourse.studies`).

Every search here takes an **objective** ``f(params, budget) -> score``: ``params`` is a dict
of hyperparameter values, ``budget`` the resource to spend on it (for a network: epochs of
training) and ``score`` a number measured on the *validation* split. Every search returns a
:class:`SearchResult`: all the trials it ran (params, budget, score, seconds) and the best.

Search spaces are plain dicts ``{name: dimension}`` built from four dimensions:
:func:`categorical`, :func:`uniform`, :func:`loguniform` and :func:`integer`
(a plain list is shorthand for a categorical dimension).

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

import itertools
import math
import numbers
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np

from ._checks import check_choice, check_positive, check_positive_int

MODES = ("max", "min")


# --------------------------------------------------------------------------- search spaces
@dataclass(frozen=True)
class Categorical:
    """A finite set of unordered choices; sampled uniformly."""

    choices: tuple

    def sample(self, rng: np.random.Generator):
        return self.choices[int(rng.integers(len(self.choices)))]

    def grid(self, points: int) -> list:
        return list(self.choices)


@dataclass(frozen=True)
class Uniform:
    r"""A real interval :math:`[a, b]` sampled uniformly: :math:`x = a + (b - a)\,u,\ u \sim \mathcal U(0, 1)`."""

    low: float
    high: float

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def grid(self, points: int) -> list:
        return [float(v) for v in np.linspace(self.low, self.high, points)]

    def narrow(self, center: float, fraction: float) -> "Uniform":
        half = (self.high - self.low) * fraction / 2
        return Uniform(max(self.low, center - half), min(self.high, center + half))


@dataclass(frozen=True)
class LogUniform:
    r"""A positive interval :math:`[a, b]` sampled uniformly *in the logarithm*:

    .. math:: x = \exp\bigl(\log a + (\log b - \log a)\,u\bigr),\quad u \sim \mathcal U(0, 1),

    so every decade gets the same share of samples — the right prior for scale parameters such
    as a learning rate or a weight decay. Its grid is geometric (log-spaced)."""

    low: float
    high: float

    def sample(self, rng: np.random.Generator) -> float:
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))

    def grid(self, points: int) -> list:
        return [float(v) for v in np.geomspace(self.low, self.high, points)]

    def narrow(self, center: float, fraction: float) -> "LogUniform":
        half = (math.log(self.high) - math.log(self.low)) * fraction / 2
        return LogUniform(max(self.low, center * math.exp(-half)), min(self.high, center * math.exp(half)))


@dataclass(frozen=True)
class Integer:
    """Integers in ``[low, high]`` (both included), uniform or log-uniform (``log=True``)."""

    low: int
    high: int
    log: bool = False

    def sample(self, rng: np.random.Generator) -> int:
        if self.log:  # log-uniform on [low - 0.5, high + 0.5], rounded: each integer gets its log-width
            x = math.exp(rng.uniform(math.log(self.low - 0.5), math.log(self.high + 0.5)))
            return int(min(self.high, max(self.low, round(x))))
        return int(rng.integers(self.low, self.high + 1))

    def grid(self, points: int) -> list:
        spaced = np.geomspace(self.low, self.high, points) if self.log else np.linspace(self.low, self.high, points)
        return sorted({int(round(v)) for v in spaced})

    def narrow(self, center: int, fraction: float) -> "Integer":
        if self.log:
            half = (math.log(self.high) - math.log(self.low)) * fraction / 2
            low, high = center * math.exp(-half), center * math.exp(half)
        else:
            half = (self.high - self.low) * fraction / 2
            low, high = center - half, center + half
        return Integer(max(self.low, int(math.floor(low))), min(self.high, int(math.ceil(high))), self.log)


def categorical(choices) -> Categorical:
    """A categorical dimension: one of ``choices`` (at least one)."""
    choices = tuple(choices)
    if not choices:
        raise ValueError("choices must hold at least one value")
    return Categorical(choices)


def _interval(low, high, positive: bool = False) -> tuple[float, float]:
    low = check_positive(low, "low") if positive else float(low)
    high = check_positive(high, "high") if positive else float(high)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"low and high must be finite, got {low} and {high}")
    if high < low:
        raise ValueError(f"high must be >= low, got low={low}, high={high}")
    return low, high


def uniform(low: float, high: float) -> Uniform:
    """A real dimension sampled uniformly on ``[low, high]``."""
    return Uniform(*_interval(low, high))


def loguniform(low: float, high: float) -> LogUniform:
    """A positive real dimension sampled uniformly in ``log`` on ``[low, high]``."""
    return LogUniform(*_interval(low, high, positive=True))


def integer(low: int, high: int, *, log: bool = False) -> Integer:
    """An integer dimension on ``[low, high]`` (log-spaced with ``log=True``, then ``low >= 1``)."""
    for value, name in ((low, "low"), (high, "high")):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if log and low < 1:
        raise ValueError(f"low must be >= 1 for a log-spaced integer dimension, got {low}")
    _interval(low, high)
    return Integer(int(low), int(high), bool(log))


DIMENSIONS = (Categorical, Uniform, LogUniform, Integer)


def check_space(space, name: str = "space") -> dict:
    """Return ``space`` with lists turned into :class:`Categorical`; refuse an empty or malformed space."""
    if not isinstance(space, dict):
        raise TypeError(f"{name} must be a dict {{name: dimension}}, got {type(space).__name__}")
    if not space:
        raise ValueError(f"{name} is empty: give at least one hyperparameter to search over")
    checked = {}
    for key, dim in space.items():
        if isinstance(dim, (list, tuple)):
            dim = categorical(dim)
        if not isinstance(dim, DIMENSIONS):
            raise TypeError(f"{name}[{key!r}] must be categorical(), uniform(), loguniform(), integer() or a list, "
                            f"got {type(dim).__name__}")
        checked[key] = dim
    return checked


def sample(space: dict, rng: np.random.Generator) -> dict:
    """One configuration drawn independently from each dimension of ``space``."""
    return {key: dim.sample(rng) for key, dim in check_space(space).items()}


def grid(space: dict, points: int = 3) -> list[dict]:
    """Every configuration of the Cartesian product of the dimensions' grids.

    Categorical dimensions contribute all their choices, continuous ones ``points`` values
    (linear or log-spaced), integer ones up to ``points`` distinct values: the grid has
    :math:`\\prod_d |G_d|` points.
    """
    space = check_space(space)
    points = check_positive_int(points, "points")
    values = [dim.grid(points) for dim in space.values()]
    return [dict(zip(space, combo)) for combo in itertools.product(*values)]


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
    """Evaluate ``objective`` at every point of :func:`grid` ``(space, points)``, each with ``budget``."""
    objective = _check_objective(objective)
    budget, mode = _budget(budget), check_choice(mode, "mode", MODES)
    return SearchResult([_evaluate(objective, p, budget) for p in grid(space, points)], mode, "grid")


def random_search(objective, space: dict, *, n_trials: int, budget=1, seed: int = 0,
                  mode: str = "max") -> SearchResult:
    """Evaluate ``objective`` at ``n_trials`` configurations drawn independently from ``space``
    (:func:`sample`, NumPy generator seeded with ``seed``: the same seed gives the same trials)."""
    objective, space = _check_objective(objective), check_space(space)
    n_trials = check_positive_int(n_trials, "n_trials")
    budget, mode = _budget(budget), check_choice(mode, "mode", MODES)
    rng = np.random.default_rng(seed)
    configs = [sample(space, rng) for _ in range(n_trials)]
    return SearchResult([_evaluate(objective, p, budget) for p in configs], mode, "random")


def zoom_search(objective, space: dict, *, n_rounds: int = 3, n_trials: int = 8, budget=1,
                shrink: float = 0.5, seed: int = 0, mode: str = "max") -> SearchResult:
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
        while n_configs // eta ** n_rounds >= 1:
            n_rounds += 1
    n_rounds = check_positive_int(n_rounds, "n_rounds")
    return [(n_configs // eta ** i, _exact(min_budget * eta ** i)) for i in range(n_rounds)
            if n_configs // eta ** i >= 1]


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
        configs = [scored[j][1] for j in order][:max(n_i // eta, 1)]
    return result


def run_halving(objective, configs: list, *, min_budget=1, eta: int = 3, n_rounds: int | None = None,
                mode: str = "max") -> SearchResult:
    r"""Successive halving over the given list of configurations (in order): rung ``i`` evaluates the
    first :math:`n_i` of the current ranking with budget :math:`r_i` (:func:`halving_schedule`),
    then keeps the best :math:`\lfloor n_i/\eta \rfloor`, best first (ties keep the earlier one)."""
    objective = _check_objective(objective)
    if not isinstance(configs, (list, tuple)) or not configs:
        raise ValueError("configs must be a non-empty list of parameter dicts")
    mode = check_choice(mode, "mode", MODES)
    schedule = halving_schedule(len(configs), min_budget, eta, n_rounds)
    return _run_halving(objective, list(configs), schedule, eta, SearchResult([], mode, "successive halving"))


def successive_halving(objective, space: dict, *, n_configs: int, min_budget=1, eta: int = 3,
                       n_rounds: int | None = None, seed: int = 0, mode: str = "max") -> SearchResult:
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


def hyperband(objective, space: dict, *, max_budget, eta: int = 3, seed: int = 0, mode: str = "max",
              brackets: int | None = None) -> SearchResult:
    """Hyperband (Li et al. 2017): successive halving run once per bracket of
    :func:`hyperband_brackets` ``(max_budget, eta)``, from the most exploratory bracket (many
    configurations, small budget) to plain random search at ``max_budget``. ``brackets`` limits
    how many brackets run (default: all)."""
    objective, space = _check_objective(objective), check_space(space)
    mode = check_choice(mode, "mode", MODES)
    table = hyperband_brackets(max_budget, eta)
    if brackets is not None:
        table = table[:check_positive_int(brackets, "brackets")]
    rng = np.random.default_rng(seed)
    result = SearchResult([], mode, "hyperband")
    s_max = len(hyperband_brackets(max_budget, eta)) - 1
    for k, schedule in enumerate(table):
        configs = [sample(space, rng) for _ in range(schedule[0][0])]
        _run_halving(objective, configs, schedule, eta, result, bracket=s_max - k)
    return result


#: name -> search function, as the strategy loop's T (:mod:`dlcourse.strategy`) names them; ``"tpe"``:
#: :func:`dlcourse.studies.optuna_search`, which that module adds when it is imported (just below).
#: :meta hide-value:
SEARCHES: dict[str, Callable] = {"grid": grid_search, "random": random_search, "zoom": zoom_search,
                                 "successive_halving": successive_halving, "hyperband": hyperband}

__all__ = ["Categorical", "Uniform", "LogUniform", "Integer", "categorical", "uniform", "loguniform", "integer",
           "check_space", "sample", "grid", "Trial", "SearchResult", "grid_search", "random_search", "zoom_search",
           "halving_schedule", "hyperband_brackets", "run_halving", "successive_halving", "hyperband", "SEARCHES"]

# The Optuna searches live in dlcourse.studies, which imports the names above: imported last, so
# that either module can be imported first. T.optuna_search is studies.optuna_search.
from . import studies as _studies  # noqa: E402


def __getattr__(name: str):
    if name == "optuna_search":
        return _studies.optuna_search
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
