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

The package: ``storage`` (:func:`worker_seed`, :func:`open_storage`, :func:`create_study`), ``search``
(:func:`optuna_objective`, :func:`optuna_search`); here, :func:`optuna_search` joins
:data:`dlcourse.tuning.SEARCHES` as ``"tpe"``.

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

from ..tuning import SEARCHES
from .search import (  # noqa: F401 - _Search: dlcourse.study_workers hands it to every worker
    _Search,
    optuna_objective,
    optuna_search,
)
from .storage import HEARTBEAT_INTERVAL, create_study, open_storage, worker_seed

__all__ = [
    "optuna_search",
    "optuna_objective",
    "open_storage",
    "create_study",
    "worker_seed",
    "HEARTBEAT_INTERVAL",
]


# dlcourse.tuning.SEARCHES names every search, this one included (tuning is imported first: see its end).
SEARCHES["tpe"] = optuna_search


def __getattr__(name: str):
    """``studies.run_workers``, as chapter 8 and the benchmarks call it, is :func:`dlcourse.study_workers.run_workers`
    (imported on first use: that module imports this one)."""
    if name == "run_workers":
        from ..study_workers import run_workers

        return run_workers
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
