"""Multi-fidelity searches, which spend a small budget on many configurations and more on the promising ones:
successive halving, Hyperband and ASHA, with their schedules, and a learning curve in closed form to try them on.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .._checks import check_choice, check_positive, check_positive_int
from ..spaces import check_space, sample
from .results import MODES, SearchResult, _budget, _check_objective, _evaluate

__all__ = [
    "halving_schedule",
    "hyperband_brackets",
    "run_halving",
    "successive_halving",
    "hyperband",
    "asha",
    "toy_learning_curve",
]


def _exact(value: Fraction):
    return int(value) if value.denominator == 1 else float(value)


def halving_schedule(n_configs: int, min_budget, eta: int = 3, n_rounds: int | None = None) -> list[tuple]:
    r"""The rungs of successive halving as ``[(n_i, r_i), ...]`` (Li et al. 2017, Algorithm 1, inner loop):

    .. math:: n_i = \lfloor n\,\eta^{-i} \rfloor, \qquad r_i = r\,\eta^{i}, \qquad i = 0, \dots, s,

    where ``n_rounds = s + 1`` defaults to the number of rungs until one configuration is left.
    After rung ``i`` the best :math:`\lfloor n_i/\eta \rfloor` configurations move up.

    Parameters
    ----------
    n_configs : int
        The number :math:`n` of configurations at the first rung, ``>= 1``.
    min_budget : int, float or fractions.Fraction
        The budget :math:`r` of the first rung, ``> 0``.
    eta : int, default 3
        The reduction factor :math:`\eta`, ``>= 2``.
    n_rounds : int, optional
        Number of rungs :math:`s + 1`, ``>= 1``; rungs with :math:`n_i = 0` are left out.

    Returns
    -------
    list of tuple
        ``(n_i, r_i)`` per rung; ``r_i`` is an int where it is a whole number, else a float.

    Examples
    --------
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

    Parameters
    ----------
    max_budget : int or float
        The maximum resource :math:`R` per configuration, ``> 0``.
    eta : int, default 3
        The reduction factor :math:`\eta`, ``>= 2``.

    Returns
    -------
    list of list of tuple
        One :func:`halving_schedule` per bracket, :math:`s = s_{\max}` first.
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
    then keeps the best :math:`\lfloor n_i/\eta \rfloor`, best first (ties keep the earlier one).

    Parameters
    ----------
    objective : callable
        ``f(params, budget) -> score``.
    configs : list of dict
        The configurations, a non-empty list or tuple (else ``ValueError``); :math:`n` is its length.
    min_budget : int or float, default 1
        The budget :math:`r` of the first rung, ``> 0``.
    eta : int, default 3
        The reduction factor :math:`\eta`, ``>= 2``.
    n_rounds : int, optional
        Number of rungs; ``None`` (the default) runs until one configuration is left.
    mode : {"max", "min"}, default "max"
        Whether a higher or a lower score is better (NaN scores rank last).

    Returns
    -------
    SearchResult
        Every evaluation, rung after rung, each with its ``rung``.
    """
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

    Parameters
    ----------
    objective : callable
        ``f(params, budget) -> score``.
    space : dict
        The search space ``{name: dimension}``.
    n_configs : int
        Number of configurations drawn, ``>= 1``.
    min_budget : int or float, default 1
        The budget of the first rung, ``> 0``.
    eta : int, default 3
        The reduction factor :math:`\eta`, ``>= 2``.
    n_rounds : int, optional
        Number of rungs; ``None`` (the default) runs until one configuration is left.
    seed : int, default 0
        Seed of the NumPy generator the configurations are drawn from.
    mode : {"max", "min"}, default "max"
        Whether a higher or a lower score is better.

    Returns
    -------
    SearchResult
        Every evaluation, rung after rung (see :func:`run_halving`).
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
    how many brackets run (default: all).

    Parameters
    ----------
    objective : callable
        ``f(params, budget) -> score``.
    space : dict
        The search space ``{name: dimension}``.
    max_budget : int or float
        The maximum budget :math:`R` of a configuration, ``> 0``.
    eta : int, default 3
        The reduction factor, ``>= 2``.
    seed : int, default 0
        Seed of the NumPy generator the configurations of all brackets are drawn from.
    mode : {"max", "min"}, default "max"
        Whether a higher or a lower score is better.
    brackets : int, optional
        Run only the first ``brackets`` brackets (the most exploratory ones), ``>= 1``; ``None`` runs all.

    Returns
    -------
    SearchResult
        Every evaluation, bracket after bracket, each with its ``bracket`` :math:`s` and ``rung``.
    """
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

    Parameters
    ----------
    params : dict
        Must hold ``"lr"``, the learning rate :math:`\eta > 0`; other keys are ignored.
    budget : float
        The budget :math:`b > 0` (epochs).

    Returns
    -------
    float
        The score at budget :math:`b`.

    Examples
    --------
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

    Parameters
    ----------
    objective : callable
        ``f(params, budget) -> score``.
    space : dict
        The search space ``{name: dimension}``.
    max_budget : int or float
        The largest budget :math:`R`, ``>= min_budget``.
    total_budget : float
        The budget of all the jobs together, ``> 0``.
    min_budget : int or float, default 1
        The budget :math:`r` of rung 0, ``> 0``.
    eta : int, default 3
        The reduction factor :math:`\eta`, ``>= 2``.
    seed : int, default 0
        Seed of the NumPy generator new configurations are drawn from.
    mode : {"max", "min"}, default "max"
        Whether a higher or a lower score is better.

    Returns
    -------
    SearchResult
        The trials in the order they ran, each with its ``rung``.
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
