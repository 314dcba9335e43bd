"""dlcourse.studies.storage: distinct samples per worker, shared SQLite and PostgreSQL studies created by several
processes at once."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dlcourse import studies
from dlcourse import tuning as T

from .studies_cases import parabola

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)
State = optuna.trial.TrialState

ROOT = Path(__file__).resolve().parents[1]
FAST = {"heartbeat_interval": 1, "grace_period": 2}  # a dead worker's trial is retried within seconds


def test_worker_seeds():
    assert studies.worker_seed(7, shared=False) == 7  # in memory: the seed itself, results as before
    seeds = [studies.worker_seed(7, k) for k in range(50)]
    assert len(set(seeds)) == 50 and seeds == [studies.worker_seed(7, k) for k in range(50)]
    assert studies.worker_seed(8, 0) != seeds[0]
    assert len({studies.worker_seed(7) for _ in range(50)}) == 50  # no index: a fresh seed every call
    with pytest.raises(ValueError, match="^worker"):
        studies.worker_seed(7, -1)


WORKER = textwrap.dedent("""
    import sys
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    from dlcourse import studies  # before tuning, which re-exports its optuna_search
    from dlcourse import tuning as T
    assert T.optuna_search is studies.optuna_search is T.SEARCHES["tpe"]
    T.optuna_search(lambda p, b: -(p["x"] - 0.3) ** 2, {"x": T.uniform(0, 1)}, n_trials=12, max_budget=1,
                    pruner=None, storage=sys.argv[1], study_name="shared")
""")


@pytest.mark.slow
def test_two_worker_processes_share_one_sqlite_study(tmp_path):
    """Two processes started by hand on a fresh file, same seed: both create the study, no trial is
    lost, and their samples differ (each process draws its own sampler seed)."""
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "DLCOURSE_NUM_THREADS": "1"}
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), storage], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for w in workers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err.decode()
    study = optuna.load_study(study_name="shared", storage=storage)
    complete = [t for t in study.trials if t.state == State.COMPLETE]
    assert len(study.trials) == len(complete) == 24
    assert sorted(t.number for t in study.trials) == list(range(24))
    assert len({t.params["x"] for t in complete}) == 24
    # and a third call sees all of them
    result = T.optuna_search(
        parabola, {"x": T.uniform(0, 1)}, n_trials=1, max_budget=1, pruner=None, storage=storage, study_name="shared"
    )
    assert len(result) == 25


# --------------------------------------------------------------------------- PostgreSQL
def _create(url, barrier, queue):
    barrier.wait(timeout=30)
    try:
        studies.create_study(url, "race")
        queue.put("ok")
    except Exception as error:  # reported to the parent, which asserts
        queue.put(f"{type(error).__name__}: {error}")


@pytest.mark.slow
def test_processes_creating_one_study_at_once_on_a_fresh_postgres_database(postgres_server, monkeypatch):
    """The issue's race: three processes open the storage and create the study together on an
    empty database (Optuna alone: UniqueViolation on pg_type for two of them, most of the time)."""
    monkeypatch.setenv("PGPASSWORD", postgres_server.env["PGPASSWORD"])
    context = multiprocessing.get_context("fork")
    for attempt in range(2):
        url = postgres_server.create_database(f"race{attempt}")
        barrier, queue = context.Barrier(3), context.Queue()
        processes = [context.Process(target=_create, args=(url, barrier, queue)) for _ in range(3)]
        for p in processes:
            p.start()
        outcomes = [queue.get(timeout=60) for _ in processes]
        for p in processes:
            p.join(timeout=60)
        assert outcomes == ["ok"] * 3
        assert optuna.study.get_all_study_names(url) == ["race"]
