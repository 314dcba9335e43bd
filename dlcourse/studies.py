"""Optuna studies: in one process, or shared by many workers through a database.

:func:`optuna_search` runs the course's objective ``f(params, budget[, report])`` (see
:mod:`dlcourse.tuning`) with Optuna's TPE sampler and Hyperband pruner, and returns the same
:class:`~dlcourse.tuning.SearchResult` as the searches written from scratch. A study lives in a
*storage*: in memory by default (it dies with the process), or in a database that any number of
processes share. :func:`~dlcourse.study_workers.run_workers` runs one study in several worker processes on this
machine and checks that every trial is accounted for. The database is named by a SQLAlchemy
URL: ``sqlite:///tuning.db`` (a file: a few processes on one machine) or, for a class or a
cluster, ``postgresql+psycopg://user@host/dbname`` (psycopg 3, the ``postgres`` extra:
``pip install "dlcourse[postgres]"``). A URL never carries the password: psycopg takes it from
the ``PGPASSWORD`` environment variable or from ``~/.pgpass``.

What sharing a study needs, and what this module does about it:

- **Creating the study once.** Optuna creates its tables when a storage is first opened; several
  processes doing it at once on a fresh database collide (PostgreSQL: ``UniqueViolation`` on
  ``pg_type``). :func:`open_storage` and :func:`create_study` retry a few times after a short
  random pause, and :func:`~dlcourse.study_workers.run_workers` creates the study before it starts any worker.
- **Distinct samples.** Workers that share a seed propose the same configurations.
  :func:`worker_seed` gives each worker its own sampler seed.
- **Workers that die.** With a database storage every running trial records a *heartbeat*
  (every ``heartbeat_interval`` seconds). A trial whose heartbeat is older than ``grace_period``
  is marked ``FAIL`` and a copy with the same parameters is queued (``WAITING``) for the next
  worker, up to ``max_retry`` times. Optuna looks for such trials only when a worker starts a
  trial, so :func:`~dlcourse.study_workers.run_workers` also does it after its workers have exited, and starts
  replacements until it has added exactly ``n_trials`` finished trials to the study.

Examples
--------
>>> from dlcourse import tuning as T
>>> import optuna; optuna.logging.set_verbosity(optuna.logging.WARNING)
>>> f = lambda p, budget: -(p["x"] - 0.3) ** 2
>>> result = optuna_search(f, {"x": T.uniform(0, 1)}, n_trials=12, max_budget=1, pruner=None)
>>> len(result), abs(result.best.params["x"] - 0.3) < 0.2
(12, True)
>>> worker_seed(0, 1) != worker_seed(0, 2)
True
"""

from __future__ import annotations

import numbers
import os
import random
import socket
import time
import warnings
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._checks import check_choice, check_positive_int
from .spaces import Categorical, Integer, LogUniform, check_space
from .tuning import MODES, SEARCHES, SearchResult, Trial, _budget, _check_objective

__all__ = [
    "optuna_search",
    "optuna_objective",
    "open_storage",
    "create_study",
    "worker_seed",
    "HEARTBEAT_INTERVAL",
]


#: Seconds between two heartbeats of a running trial in a database storage (the default of
#: :func:`open_storage`): short enough to notice a dead worker within a minute, long enough that
#: a hundred workers write a few rows a second.
HEARTBEAT_INTERVAL = 10

#: The errors a database raises when several processes create Optuna's tables or a study at once.
_RACE_ERRORS = ("IntegrityError", "ProgrammingError", "OperationalError")


# --------------------------------------------------------------------------- seeds, storage, study
def worker_seed(seed: int, worker: int | None = None, *, shared: bool = True) -> int:
    """The sampler seed of one worker of a study.

    Parameters
    ----------
    seed : int
        The search's seed (a non-negative integer).
    worker : int or None
        The worker's index (0, 1, ...). Worker ``k`` draws from
        ``numpy.random.SeedSequence(seed).spawn(k + 1)[k]``: reproducible, and distinct for
        distinct ``k``.
    shared : bool
        Whether the study is shared (a database storage). With no ``worker``, a study in memory
        uses ``seed`` itself, and a shared one a seed drawn from ``seed``, the host name, the
        process id and the clock: distinct for every call in every process (so workers started
        by hand, or one process searching twice, never propose the same configurations) and not
        reproducible. Give ``worker`` to reproduce a worker.

    Returns
    -------
    int
        A seed for Optuna's samplers, in ``[0, 2**32)``.
    """
    if worker is None and not shared:
        return seed
    if worker is None:
        sequence = np.random.SeedSequence(
            [seed, zlib.crc32(socket.gethostname().encode()), os.getpid(), time.time_ns()]
        )
    else:
        if isinstance(worker, bool) or not isinstance(worker, numbers.Integral) or worker < 0:
            raise ValueError(f"worker must be an int >= 0 (a worker's index), got {worker!r}")
        sequence = np.random.SeedSequence(seed, spawn_key=(int(worker),))
    return int(sequence.generate_state(1)[0])


def _retrying(make: Callable, tries: int):
    """``make()``, tried again after a short random pause when the database reports a race."""
    import sqlalchemy.exc

    errors = tuple(getattr(sqlalchemy.exc, name) for name in _RACE_ERRORS)
    pause = random.Random()  # its own generator: the global `random` state stays the caller's
    for attempt in range(tries):
        try:
            return make()
        except errors:
            if attempt == tries - 1:
                raise
            time.sleep(pause.uniform(0.05, 0.25) * 2**attempt)


def open_storage(
    url: str,
    *,
    heartbeat_interval: int | None = HEARTBEAT_INTERVAL,
    grace_period: int | None = None,
    max_retry: int | None = 3,
    tries: int = 5,
    create_tables: bool = True,
):
    """Open (and, on a fresh database, create) the Optuna storage at ``url``.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL, e.g. ``sqlite:///tuning.db`` or ``postgresql+psycopg://user@host/dbname``
        (the password comes from ``PGPASSWORD`` or ``~/.pgpass``, never from the URL).
    heartbeat_interval : int or None
        Seconds between two heartbeats of a running trial; None: no heartbeat, and a trial whose
        worker died stays ``RUNNING`` for ever.
    grace_period : int or None
        Seconds without a heartbeat after which a running trial is failed (default: twice
        ``heartbeat_interval``).
    max_retry : int or None
        How many times a failed trial is queued again with the same parameters (None: without limit).
    tries : int
        Attempts, with a short random pause between them, when creating the tables collides with
        another process doing the same.
    create_tables : bool
        False when the tables are known to exist (skips Optuna's ``CREATE TABLE`` checks).

    Returns
    -------
    optuna.storages.RDBStorage
        The storage; pass it (or the URL) to :func:`create_study`.
    """
    import optuna

    if not isinstance(url, str):
        raise TypeError(f"url must be a database URL (str), got {type(url).__name__}")
    # SQLite: wait for a lock rather than fail at once; servers: test a pooled connection before
    # use (a long trial outlives an idle connection on many servers and firewalls).
    engine = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {"pool_pre_ping": True}

    def make():
        with warnings.catch_warnings():  # the heartbeat and the retry are "experimental" in Optuna
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            retry = getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None)  # Optuna >= 4.9
            callback = (
                {}
                if heartbeat_interval is None
                else (
                    {"heartbeat_stale_trial_callback": retry(max_retry=max_retry)}
                    if retry is not None
                    else {"failed_trial_callback": optuna.storages.RetryFailedTrialCallback(max_retry=max_retry)}
                )
            )
            return optuna.storages.RDBStorage(
                url,
                engine_kwargs=engine,
                heartbeat_interval=heartbeat_interval,
                grace_period=grace_period,
                skip_table_creation=not create_tables,
                **callback,
            )

    return _retrying(make, check_positive_int(tries, "tries"))


def create_study(storage, study_name: str, *, mode: str = "max", sampler=None, pruner=None, tries: int = 5):
    """Create the study ``study_name`` in ``storage``, or load it if it exists.

    Parameters
    ----------
    storage : str, optuna.storages.BaseStorage or None
        None (in memory), a URL (opened with :func:`open_storage`'s defaults) or a storage.
    study_name : str
        The study's name: the workers of one study use the same.
    mode : str
        ``"max"`` or ``"min"``: the study's direction.
    sampler, pruner : optional
        An Optuna sampler and pruner, used by this process only (Optuna stores neither).
    tries : int
        Attempts, with a short random pause between them, when several processes create the
        study at once.

    Returns
    -------
    optuna.Study
        The study.
    """
    import optuna

    mode = check_choice(mode, "mode", MODES)
    if isinstance(storage, str):
        storage = open_storage(storage, tries=tries)
    return _retrying(
        lambda: optuna.create_study(
            storage=storage,
            study_name=study_name,
            sampler=sampler,
            pruner=pruner,
            direction="maximize" if mode == "max" else "minimize",
            load_if_exists=True,
        ),
        check_positive_int(tries, "tries"),
    )


# --------------------------------------------------------------------------- one process
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


# dlcourse.tuning.SEARCHES names every search, this one included (tuning is imported first: see its end).
SEARCHES["tpe"] = optuna_search


def __getattr__(name: str):
    """``studies.run_workers``, as chapter 8 and the benchmarks call it, is :func:`dlcourse.study_workers.run_workers`
    (imported on first use: that module imports this one)."""
    if name == "run_workers":
        from .study_workers import run_workers

        return run_workers
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
