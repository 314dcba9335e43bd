"""One Optuna study run by several worker processes on this machine, every trial accounted for.

:func:`run_workers` creates the study once (:func:`dlcourse.studies.create_study`), starts the
workers, hands them their trials one at a time, restarts those that die, and fails and re-queues
the trials they left ``RUNNING`` (see :mod:`dlcourse.studies` for what sharing a study needs). A
worker runs one torch thread and, inside a notebook kernel, writes nothing to the notebook.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
import traceback
import warnings

from ._checks import check_positive_int
from .studies import HEARTBEAT_INTERVAL, _Search, create_study, open_storage, optuna_objective, worker_seed
from .tuning import (
    SearchResult,
)

__all__ = [
    "run_workers",
]


def _in_kernel() -> bool:
    return type(sys.stdout).__module__.startswith("ipykernel")


def _silence_kernel_streams() -> None:
    """In a worker forked from a Jupyter kernel: send stdout, stderr and log output to /dev/null.

    The kernel's streams belong to the kernel's ZeroMQ sockets and threads; ipykernel forwards
    what a forked child writes to them into the running cell's output (every worker's prints,
    warnings and Optuna log lines), and a child must not depend on sockets it shares with its
    parent. The workers' results reach the notebook through the study.
    """
    if not _in_kernel():
        return
    kernel_streams = (sys.stdout, sys.stderr)
    devnull = open(os.devnull, "w")
    os.dup2(devnull.fileno(), 1)
    os.dup2(devnull.fileno(), 2)
    sys.stdout = sys.stderr = devnull
    loggers = [
        logging.getLogger(),
        *(v for v in logging.Logger.manager.loggerDict.values() if isinstance(v, logging.Logger)),
    ]
    for handler in (h for lg in loggers for h in lg.handlers):
        if getattr(handler, "stream", None) in kernel_streams:
            handler.stream = devnull  # not setStream(), which flushes the kernel's stream first


def _one_torch_thread() -> None:
    """In a forked worker: let torch compute on one thread, without its parent's OpenMP thread pool.

    A process that forks after torch has run on several threads hands its child an OpenMP runtime
    whose worker threads do not exist there; the child's first parallel region then waits for them
    for ever (seen with two threads: every worker hung in its first training step). With one
    thread torch runs every operation inline, and each worker is one of the parallel processes
    anyway.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def _worker(conn, launcher: str, index: int, search: _Search, url: str, study_name: str, options: dict) -> None:
    """One worker process: ask the parent for a ticket, run one trial per ticket, until refused."""
    _silence_kernel_streams()
    _one_torch_thread()
    try:
        import optuna

        storage = open_storage(url, create_tables=False, **options)
        study = optuna.load_study(
            study_name=study_name,
            storage=storage,
            sampler=search.make_sampler(worker_seed(search.seed)),
            pruner=search.make_pruner(),
        )
        run_trial = optuna_objective(search.objective, search.space, search.max_budget)

        def function(trial):
            trial.set_user_attr("launcher", launcher)  # the trials that this run_workers call counts
            trial.set_user_attr("worker", index)
            value = run_trial(trial)
            trial.set_user_attr("returned", True)  # ran to the end, even if Optuna fails a NaN value
            return value

        while True:
            conn.send("next")
            if not conn.recv():
                break
            study.optimize(function, n_trials=1, catch=())
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        raise


def _start_method() -> str:
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _counts(study, launcher: str) -> tuple[int, int]:
    """This launcher's trials that are done (``COMPLETE``, ``PRUNED``, or ``FAIL`` after the
    objective returned, e.g. NaN) and ``RUNNING``."""
    import optuna

    state = optuna.trial.TrialState
    trials = [t for t in study.get_trials(deepcopy=False) if t.user_attrs.get("launcher") == launcher]
    done = sum(
        t.state in (state.COMPLETE, state.PRUNED) or (t.state == state.FAIL and "returned" in t.user_attrs)
        for t in trials
    )
    return done, sum(t.state == state.RUNNING for t in trials)


def _settle(study, launcher: str, wait: float) -> None:
    """Fail the study's stale trials (which queues their retries), waiting up to ``wait`` seconds
    for the heartbeats of this launcher's running trials (its workers have exited) to go stale."""
    import optuna

    deadline = time.monotonic() + wait
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(study)
        if not _counts(study, launcher)[1] or time.monotonic() > deadline:
            return
        time.sleep(0.25)


def run_workers(
    objective,
    space: dict,
    *,
    n_workers: int,
    n_trials: int,
    storage: str,
    max_budget,
    min_budget=1,
    eta: int = 3,
    sampler: str = "tpe",
    pruner: str | None = "hyperband",
    study_name: str | None = None,
    seed: int = 0,
    mode: str = "max",
    n_startup_trials: int = 5,
    heartbeat_interval: int = HEARTBEAT_INTERVAL,
    grace_period: int | None = None,
    max_retry: int | None = 3,
    max_restarts: int | None = None,
    start_method: str | None = None,
) -> SearchResult:
    """Add exactly ``n_trials`` finished trials to one study, run by ``n_workers`` processes on this machine.

    The study is created here, once, before any worker starts. Every worker samples with a seed
    of its own (:func:`~dlcourse.studies.worker_seed` without an index: distinct across processes and machines,
    so several machines can run this function on one study, each adding its ``n_trials``).
    Workers take their trials one at a time from this process, so together they start exactly
    the trials still missing. A worker that dies (killed, out of memory) leaves its trial
    ``RUNNING``; once the trial's heartbeat is ``grace_period`` old it is marked ``FAIL`` and a
    copy with the same parameters is queued, run by a surviving worker or, when all have exited,
    by one started for it. A replacement takes the dead worker's place while trials remain.

    At the end this call's trials are exactly ``n_trials`` ``COMPLETE`` or ``PRUNED`` ones, none
    of them ``RUNNING`` or ``WAITING``, and each ``FAIL`` trial has a finished retry with its
    parameters (unless it failed more than ``max_retry`` times: then a new configuration took its
    place). On a fresh study that is the whole study. Two exceptions, as in
    :func:`~dlcourse.studies.optuna_search`: a trial whose objective returns NaN is ``FAIL`` but counts as run (the
    result leaves it out); and a worker killed in the instant between the creation of its trial
    and its first heartbeat leaves a trial that Optuna never fails, replaced by a new one.

    Parameters
    ----------
    objective : callable
        As for :func:`~dlcourse.studies.optuna_search`. Workers are forked from this process where the platform
        can (Linux, macOS), so a function defined in a notebook works; with ``"spawn"``
        (Windows; on macOS if a forked worker crashes in a system library) it must be importable
        (defined in a module: not a lambda, not a closure). An
        objective that raises stops the search: the other workers finish their current trial,
        then this function raises ``RuntimeError`` with the traceback. In a Jupyter kernel, what
        the workers print is discarded (the results reach the notebook through the study).
    space : dict
        The search space.
    n_workers : int
        Worker processes at a time.
    n_trials : int
        Finished trials this call adds to the study.
    storage : str
        A database URL: ``sqlite:///path/study.db`` (one machine), or
        ``postgresql+psycopg://user@host/dbname``, the password in ``PGPASSWORD`` or ``~/.pgpass``.
    max_budget, min_budget, eta, sampler, pruner, study_name, seed, mode, n_startup_trials
        As for :func:`~dlcourse.studies.optuna_search`.
    heartbeat_interval : int
        Seconds between two heartbeats of a running trial (see :func:`~dlcourse.studies.open_storage`).
    grace_period, max_retry : int or None
        As for :func:`~dlcourse.studies.open_storage`: a dead worker's trial is run again after about
        ``grace_period`` seconds (default ``2 * heartbeat_interval``), at most ``max_retry`` times.
    max_restarts : int or None
        How many workers may die before this function gives up with ``RuntimeError`` (default
        ``n_workers + n_trials``).
    start_method : str or None
        ``"fork"`` (the default where available) or ``"spawn"`` (see ``multiprocessing``).

    Returns
    -------
    SearchResult
        The study's finished trials, all workers' (and other machines'), in order of their
        number; ``result.study`` is the study. Each trial records the index of the worker that
        ran it in its user attribute ``"worker"``, and this call's random identifier in ``"launcher"``.
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
    n_workers, n_trials = check_positive_int(n_workers, "n_workers"), check_positive_int(n_trials, "n_trials")
    if not isinstance(storage, str) or storage.rstrip("/") in ("sqlite:", "sqlite://") or ":memory:" in storage:
        raise ValueError(f"storage must be the URL of a database that the workers share, got {storage!r}")
    heartbeat_interval = check_positive_int(heartbeat_interval, "heartbeat_interval")
    max_restarts = n_workers + n_trials if max_restarts is None else max_restarts
    context = multiprocessing.get_context(start_method or _start_method())
    options = {"heartbeat_interval": heartbeat_interval, "grace_period": grace_period, "max_retry": max_retry}
    rdb = open_storage(storage, **options)
    study_name = study_name or f"dlcourse-{seed}"
    study = create_study(rdb, study_name, mode=search.mode)  # once, before any worker starts
    launcher = os.urandom(8).hex()  # tags this call's trials
    wait = (grace_period or 2 * heartbeat_interval) + 2 * heartbeat_interval + 2

    workers: dict = {}  # sentinel -> (process, connection to it)
    state = {"index": 0, "tickets": 0, "deaths": 0, "error": None}

    def start():
        rdb.engine.dispose()  # no pooled connection of this process may live on in a forked child
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_worker,
            name=f"dlcourse-worker-{state['index']}",
            args=(theirs, launcher, state["index"], search, storage, study_name, options),
        )
        process.start()
        theirs.close()
        state["index"] += 1
        workers[process.sentinel] = (process, ours)

    def serve(conn) -> bool:
        """Answer a worker's messages; False once it has hung up."""
        try:
            while conn.poll():
                message = conn.recv()
                if message == "next":
                    granted = state["tickets"] > 0 and state["error"] is None
                    state["tickets"] -= granted
                    conn.send(granted)
                elif state["error"] is None:
                    state["error"] = message[1]
        except (EOFError, OSError):
            return False
        return True

    try:
        before = None
        while True:
            _settle(study, launcher, wait)  # the trials of workers that died: failed, and queued again
            done, running = _counts(study, launcher)
            state["tickets"] = n_trials - done - running
            if state["tickets"] <= 0:
                break
            if before == (done, state["deaths"]):  # a round in which nothing happened: never loop for ever
                raise RuntimeError(f"run_workers stopped: its workers finished no trial ({done} of {n_trials} done)")
            before = (done, state["deaths"])
            for _ in range(min(n_workers, state["tickets"])):
                start()
            while workers:
                ready = multiprocessing.connection.wait([*workers, *(c for _, c in workers.values() if not c.closed)])
                for item in ready:
                    if item in workers:  # a worker exited
                        process, conn = workers.pop(item)
                        process.join()
                        serve(conn)
                        conn.close()
                        if process.exitcode != 0 and state["error"] is None:
                            state["deaths"] += 1
                            if state["deaths"] > max_restarts:
                                state["error"] = f"{state['deaths']} workers died (max_restarts={max_restarts})"
                            elif state["tickets"] > 0:
                                start()
                    elif not serve(item):
                        item.close()
            if state["error"] is not None:
                raise RuntimeError(f"run_workers stopped: {state['error']}")
    finally:
        for process, conn in workers.values():
            process.terminate()
            process.join()
            conn.close()
    result = search.result(study)
    rdb.engine.dispose()  # closes this process's connections (it reconnects if the study is used again)
    return result
