"""One Optuna search: the course's objective as Optuna's, and :func:`optuna_search`, which runs it with the TPE
sampler and a pruner and returns the same :class:`~dlcourse.tuning.SearchResult` as the searches written from
scratch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .._checks import check_choice, check_positive_int
from ..spaces import Categorical, Integer, LogUniform, check_space
from ..tuning.results import MODES, SearchResult, Trial, _budget, _check_objective
from .storage import HEARTBEAT_INTERVAL, create_study, open_storage, worker_seed

__all__ = [
    "optuna_search",
    "optuna_objective",
]


def _accepts_report(objective) -> bool:
    import inspect

    try:
        return "report" in inspect.signature(objective).parameters
    except (TypeError, ValueError):
        return False


def _suggest(trial, name: str, dim):
    """Optuna's draw of one dimension of a search space (:mod:`dlcourse.tuning`)."""
    if isinstance(dim, Categorical):
        return trial.suggest_categorical(name, list(dim.choices))
    if isinstance(dim, Integer):
        return trial.suggest_int(name, dim.low, dim.high, log=dim.log)
    return trial.suggest_float(name, dim.low, dim.high, log=isinstance(dim, LogUniform))


def optuna_objective(objective, space: dict, max_budget) -> Callable:
    """Optuna's objective ``f(trial)`` for the course's ``objective(params, budget[, report])``.

    Parameters
    ----------
    objective : callable
        ``objective(params, max_budget)``; if it has a keyword ``report``, it is called as
        ``objective(params, max_budget, report=report)`` and must call ``report(epoch, value)``
        after every epoch, which raises ``optuna.TrialPruned`` when the pruner stops the trial.
    space : dict
        The search space (:func:`dlcourse.spaces.check_space`).
    max_budget : int or float
        The budget of a trial that is not pruned.

    Returns
    -------
    callable
        ``f(trial) -> score``, which records the epochs run and the seconds taken as user
        attributes of the trial.
    """
    import optuna

    with_report = _accepts_report(objective)

    def optuna_objective(trial):
        params = {key: _suggest(trial, key, dim) for key, dim in space.items()}
        start = time.perf_counter()
        if not with_report:
            score = objective(params, max_budget)
        else:

            def report(epoch, value):
                trial.report(float(value), int(epoch))
                trial.set_user_attr("epochs", int(epoch))
                if trial.should_prune():
                    raise optuna.TrialPruned()

            score = objective(params, max_budget, report=report)
        trial.set_user_attr("epochs", max_budget)
        trial.set_user_attr("seconds", time.perf_counter() - start)
        return float(score)

    return optuna_objective


@dataclass(frozen=True)
class _Search:
    """What every worker of one study needs: the objective, the space, the sampler and pruner settings."""

    objective: Callable
    space: dict
    max_budget: float
    min_budget: float
    eta: int
    sampler: str
    pruner: str | None
    mode: str
    n_startup_trials: int
    seed: int

    @classmethod
    def check(cls, objective, space, *, max_budget, min_budget, eta, sampler, pruner, mode, n_startup_trials, seed):
        return cls(
            _check_objective(objective),
            check_space(space),
            _budget(max_budget),
            _budget(min_budget),
            eta,
            check_choice(sampler, "sampler", ("tpe", "random")),
            None if pruner is None else check_choice(pruner, "pruner", ("hyperband", "median")),
            check_choice(mode, "mode", MODES),
            n_startup_trials,
            seed,
        )

    @property
    def method(self) -> str:
        return f"optuna {self.sampler}" + (f" + {self.pruner}" if self.pruner else "")

    def make_sampler(self, seed: int):
        import optuna

        if self.sampler == "tpe":
            return optuna.samplers.TPESampler(seed=seed, n_startup_trials=self.n_startup_trials)
        return optuna.samplers.RandomSampler(seed=seed)

    def make_pruner(self):
        import optuna

        if self.pruner is None:
            return optuna.pruners.NopPruner()
        if self.pruner == "hyperband":
            return optuna.pruners.HyperbandPruner(
                min_resource=self.min_budget, max_resource=self.max_budget, reduction_factor=self.eta
            )
        return optuna.pruners.MedianPruner(n_startup_trials=self.n_startup_trials)

    def result(self, study) -> SearchResult:
        """The study's finished trials (``COMPLETE`` or ``PRUNED``, all workers), in order."""
        import optuna

        state = optuna.trial.TrialState
        result = SearchResult([], self.mode, self.method)
        result.study = study
        for t in sorted(study.trials, key=lambda t: t.number):
            if t.state == state.COMPLETE:
                score = t.value
            elif t.state == state.PRUNED and t.intermediate_values:
                score = t.intermediate_values[max(t.intermediate_values)]
            else:
                continue
            seconds = t.user_attrs.get("seconds", (t.duration.total_seconds() if t.duration else 0.0))
            result.trials.append(
                Trial(
                    dict(t.params),
                    t.user_attrs.get("epochs", self.max_budget),
                    float(score),
                    float(seconds),
                    pruned=t.state == state.PRUNED,
                )
            )
        return result


def optuna_search(
    objective,
    space: dict,
    *,
    n_trials: int,
    max_budget,
    min_budget=1,
    eta: int = 3,
    sampler: str = "tpe",
    pruner: str | None = "hyperband",
    storage=None,
    study_name: str | None = None,
    seed: int = 0,
    mode: str = "max",
    n_startup_trials: int = 5,
    worker: int | None = None,
    heartbeat_interval: int | None = HEARTBEAT_INTERVAL,
    grace_period: int | None = None,
    max_retry: int | None = 3,
) -> SearchResult:
    """Run ``objective`` with Optuna: Bayesian optimisation with the TPE sampler (Bergstra et al. 2011)
    and early stopping by Optuna's Hyperband pruner.

    Parameters
    ----------
    objective : callable
        ``objective(params, budget) -> score``, or with a keyword ``report`` (see
        :func:`optuna_objective`): only such an objective can be pruned. Its budget is the epochs
        it ran, its score the last value it reported.
    space : dict
        The search space, ``{name: dimension}`` (:mod:`dlcourse.tuning`).
    n_trials : int
        Trials this call runs (with a shared storage, each worker adds its ``n_trials``).
    max_budget, min_budget : int or float
        The budget of a full trial, and the pruner's smallest budget.
    eta : int
        The Hyperband pruner's reduction factor.
    sampler : str
        ``"tpe"`` (the first ``n_startup_trials`` trials random) or ``"random"``.
    pruner : str or None
        ``"hyperband"``, ``"median"`` or None (no pruning).
    storage : str, optuna.storages.BaseStorage or None
        None: in memory. A database URL (``sqlite:///tuning.db``,
        ``postgresql+psycopg://user@host/dbname``, opened by :func:`open_storage`) or a storage:
        every process that calls this function with the same ``storage`` and ``study_name``
        works on one study.
    study_name : str or None
        Default ``"dlcourse-<seed>"``: fixed, because the Hyperband pruner assigns trials to
        brackets by hashing the study name.
    seed : int
        The sampler's seed; the sampler of a shared study uses :func:`worker_seed` ``(seed, worker)``.
    mode : str
        ``"max"`` or ``"min"``.
    n_startup_trials : int
        Random trials before TPE (and trials before the median pruner) starts.
    worker : int or None
        This worker's index in a shared study (0, 1, ...): a reproducible seed distinct from the
        other workers'. None: a seed distinct for every process (see :func:`worker_seed`). A study
        in memory with ``worker=None`` uses ``seed`` itself.
    heartbeat_interval, grace_period, max_retry : int or None
        For a database URL: see :func:`open_storage`.

    Returns
    -------
    SearchResult
        The study's finished trials (all workers' with a shared storage), in order of their
        number; the study itself is ``result.study``.
    """
    search = _Search.check(
        objective,
        space,
        max_budget=max_budget,
        min_budget=min_budget,
        eta=eta,
        sampler=sampler,
        pruner=pruner,
        mode=mode,
        n_startup_trials=n_startup_trials,
        seed=seed,
    )
    n_trials = check_positive_int(n_trials, "n_trials")
    if isinstance(storage, str):
        storage = open_storage(
            storage, heartbeat_interval=heartbeat_interval, grace_period=grace_period, max_retry=max_retry
        )
    sampler_seed = worker_seed(seed, worker, shared=storage is not None)
    # A fixed default name: Optuna's Hyperband pruner assigns trials to brackets by hashing the
    # study name, so a random name would make pruning (and the results) irreproducible.
    study = create_study(
        storage,
        study_name or f"dlcourse-{seed}",
        mode=search.mode,
        sampler=search.make_sampler(sampler_seed),
        pruner=search.make_pruner(),
    )
    study.optimize(optuna_objective(search.objective, search.space, search.max_budget), n_trials=n_trials, catch=())
    return search.result(study)
