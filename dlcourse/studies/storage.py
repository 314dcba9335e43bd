"""Where a study lives and how workers share it: each worker's sampler seed, the storage (its tables
created once, with retries when processes race to create them) and the study (created once, then loaded).
"""

from __future__ import annotations

import numbers
import os
import random
import socket
import time
import warnings
import zlib
from typing import Callable

import numpy as np

from .._checks import check_choice, check_positive_int
from ..tuning.results import MODES

__all__ = [
    "worker_seed",
    "open_storage",
    "create_study",
    "HEARTBEAT_INTERVAL",
]


#: Seconds between two heartbeats of a running trial in a database storage (the default of
#: :func:`open_storage`): short enough to notice a dead worker within a minute, long enough that
#: a hundred workers write a few rows a second.
HEARTBEAT_INTERVAL = 10

#: The errors a database raises when several processes create Optuna's tables or a study at once.
_RACE_ERRORS = ("IntegrityError", "ProgrammingError", "OperationalError")


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
