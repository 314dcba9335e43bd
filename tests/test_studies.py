"""dlcourse.studies: Optuna in memory (the chapter's stored outputs pin its results), shared SQLite and
PostgreSQL studies created by several processes at once, distinct samples per worker, and the
launcher's exact accounting when a worker is killed in the middle of a trial."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dlcourse import studies
from dlcourse import tuning as T

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)
State = optuna.trial.TrialState

ROOT = Path(__file__).resolve().parents[1]
FAST = {"heartbeat_interval": 1, "grace_period": 2}  # a dead worker's trial is retried within seconds


def toy(params, budget):
    """Peaks at lr = 1e-2, act = relu; more budget gets closer to the peak value."""
    return -abs(math.log10(params["lr"]) + 2) + (params.get("act") == "relu") - 1 / budget


def parabola(params, budget):
    return -(params["x"] - 0.3) ** 2


def test_optuna_search_in_memory_with_pruning():
    def objective(params, budget, report=None):
        value = 0.0
        for epoch in range(1, budget + 1):
            value = toy(params, epoch)
            if report is not None:
                report(epoch, value)
        return value

    result = T.optuna_search(objective, {"lr": T.loguniform(1e-4, 1), "act": ["relu", "tanh"]},
                             n_trials=30, max_budget=9, seed=0)
    assert len(result) == 30
    assert any(t.pruned for t in result.trials) and all(t.budget <= 9 for t in result.trials)
    assert result.total_budget < 30 * 9
    assert abs(math.log10(result.best.params["lr"]) + 2) < 0.5


def test_tuning_reexports_the_optuna_search():
    assert T.optuna_search is studies.optuna_search is T.SEARCHES["tpe"]  # (the workers below import studies first)


def test_worker_seeds():
    assert studies.worker_seed(7, shared=False) == 7  # in memory: the seed itself, results as before
    seeds = [studies.worker_seed(7, k) for k in range(50)]
    assert len(set(seeds)) == 50 and seeds == [studies.worker_seed(7, k) for k in range(50)]
    assert studies.worker_seed(8, 0) != seeds[0]
    assert len({studies.worker_seed(7) for _ in range(50)}) == 50  # no index: a fresh seed every call
    with pytest.raises(ValueError, match="^worker"):
        studies.worker_seed(7, -1)


def test_a_shared_study_with_a_worker_index_is_reproducible(tmp_path):
    def params(name):
        result = T.optuna_search(parabola, {"x": T.uniform(0, 1)}, n_trials=4, max_budget=1, pruner=None,
                                 storage=f"sqlite:///{tmp_path / name}", worker=3, seed=5)
        return [t.params["x"] for t in result.trials]
    assert params("a.db") == params("b.db")


def test_run_workers_refuses_a_study_in_memory():
    with pytest.raises(ValueError, match="^storage"):
        studies.run_workers(parabola, {"x": T.uniform(0, 1)}, n_workers=2, n_trials=4, max_budget=1,
                            storage="sqlite://")


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
    workers = [subprocess.Popen([sys.executable, str(script), storage], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for w in workers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err.decode()
    study = optuna.load_study(study_name="shared", storage=storage)
    complete = [t for t in study.trials if t.state == State.COMPLETE]
    assert len(study.trials) == len(complete) == 24
    assert sorted(t.number for t in study.trials) == list(range(24))
    assert len({t.params["x"] for t in complete}) == 24
    # and a third call sees all of them
    result = T.optuna_search(parabola, {"x": T.uniform(0, 1)}, n_trials=1, max_budget=1, pruner=None,
                             storage=storage, study_name="shared")
    assert len(result) == 25


def two_workers_at_least(calls: Path):
    """An objective whose first trial waits (up to 10 s) until a second process has started one:
    however the processes are scheduled, more than one worker contributes."""
    calls.mkdir()

    def objective(params, budget):
        (calls / str(os.getpid())).touch()
        deadline = time.monotonic() + 10
        while len(list(calls.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        return parabola(params, budget)
    return objective


def check_accounted_for(study, n_trials: int) -> list:
    """Exactly ``n_trials`` finished trials, nothing running or waiting, every failed trial retried
    to the end with its parameters, distinct parameters among the first attempts. Returns the failed."""
    trials = study.get_trials(deepcopy=False)
    finished = [t for t in trials if t.state in (State.COMPLETE, State.PRUNED)]
    assert len(finished) == n_trials, [(t.number, t.state.name) for t in trials]
    assert not [t for t in trials if t.state in (State.RUNNING, State.WAITING)]
    failed = [t for t in trials if t.state == State.FAIL]
    for t in failed:  # a retry names the first attempt it repeats, however often it was repeated
        original = t.system_attrs.get("failed_trial", t.number)
        retried = [r for r in finished if r.system_attrs.get("failed_trial") == original]
        assert len(retried) == 1 and retried[0].params == t.params, (t.number, t.params)
    first_attempts = [t for t in trials if "failed_trial" not in t.system_attrs]
    assert len(first_attempts) == n_trials
    assert len({json.dumps(t.params, sort_keys=True) for t in first_attempts}) == n_trials
    return failed


@pytest.mark.slow
def test_run_workers_on_a_sqlite_file(tmp_path):
    start = time.perf_counter()
    storage = f"sqlite:///{tmp_path / 's.db'}"
    result = studies.run_workers(two_workers_at_least(tmp_path / "calls"), {"x": T.uniform(0, 1)}, n_workers=3,
                                 n_trials=12, max_budget=1, pruner=None, storage=storage, study_name="three", **FAST)
    assert len(result) == 12 and result.method == "optuna tpe"
    assert not check_accounted_for(result.study, 12)
    workers = [t.user_attrs["worker"] for t in result.study.trials]
    assert len(set(workers)) > 1 and set(workers) <= {0, 1, 2}
    # a second call (another machine, say) adds its own trials, exactly
    again = studies.run_workers(parabola, {"x": T.uniform(0, 1)}, n_workers=2, n_trials=5, max_budget=1, pruner=None,
                                storage=storage, study_name="three", **FAST)
    assert len(again) == 17 and not check_accounted_for(again.study, 17)
    assert time.perf_counter() - start < 30  # about 1.5 s unloaded


@pytest.mark.slow
def test_run_workers_reports_an_objective_that_raises(tmp_path):
    def objective(params, budget):
        if params["x"] > 0.5:
            raise ZeroDivisionError("the objective's own bug")
        return parabola(params, budget)

    with pytest.raises(RuntimeError, match="ZeroDivisionError: the objective's own bug"):
        studies.run_workers(objective, {"x": T.uniform(0, 1)}, n_workers=2, n_trials=30, max_budget=1, pruner=None,
                            storage=f"sqlite:///{tmp_path / 's.db'}", **FAST)
    study = optuna.load_study(study_name="dlcourse-0", storage=f"sqlite:///{tmp_path / 's.db'}")
    assert not study.get_trials(states=(State.RUNNING, State.WAITING))  # the other worker finished its trial


@pytest.mark.slow
def test_run_workers_counts_a_nan_score_as_run(tmp_path):
    """As in optuna_search: Optuna fails a trial whose value is NaN, and the result leaves it out."""
    result = studies.run_workers(lambda p, b: math.nan if p["x"] > 0.5 else p["x"], {"x": T.uniform(0, 1)},
                                 n_workers=2, n_trials=8, max_budget=1, pruner=None,
                                 storage=f"sqlite:///{tmp_path / 's.db'}", **FAST)
    trials = result.study.trials
    assert len(trials) == 8 and all(t.user_attrs["returned"] for t in trials)
    assert len(result) == sum(t.state == State.COMPLETE for t in trials) == sum(t.params["x"] <= 0.5 for t in trials)


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


def kill_once(folder: Path, on_call: int, seconds: float):
    """An objective that takes ``seconds``, except on its ``on_call``-th call of all processes
    (counted with O_EXCL marker files): that one records its parameters and SIGKILLs its own
    process while the trial is running."""
    folder.mkdir()

    def objective(params, budget):
        call = 0
        while True:
            try:
                os.close(os.open(folder / f"call-{call}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                break
            except FileExistsError:
                call += 1
        if call == on_call:
            (folder / "killed.json").write_text(json.dumps(params))
            time.sleep(1.2)  # the trial's heartbeat is in the database (Optuna records it at once)
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(seconds)
        return parabola(params, budget)
    return objective


@pytest.mark.slow
def test_a_worker_killed_mid_trial_on_postgres(postgres_server, monkeypatch, tmp_path):
    """Three workers, 12 trials of 0.5 s; the second trial's worker dies after 1.2 s, while about
    five trials are left: a replacement (worker 3) takes its place, and once the dead trial's
    heartbeat is 2 s old it is failed and its copy run. Every trial is accounted for."""
    monkeypatch.setenv("PGPASSWORD", postgres_server.env["PGPASSWORD"])
    url = postgres_server.create_database("killed")  # fresh: run_workers creates the tables
    start = time.perf_counter()
    result = studies.run_workers(kill_once(tmp_path / "calls", on_call=1, seconds=0.5), {"x": T.uniform(0, 1)},
                                 n_workers=3, n_trials=12, max_budget=1, pruner=None, storage=url,
                                 study_name="killed", **FAST)
    elapsed = time.perf_counter() - start
    study = optuna.load_study(study_name="killed", storage=url)
    failed = check_accounted_for(study, 12)
    killed = json.loads((tmp_path / "calls" / "killed.json").read_text())
    assert [t.params for t in failed] == [killed]
    assert sorted(t.params["x"] for t in result.trials) == sorted(t.params["x"] for t in study.trials
                                                                  if t.state != State.FAIL)
    assert len(list((tmp_path / "calls").glob("call-*"))) == 13  # 12 trials and the killed one, nothing more
    assert 3 in {t.user_attrs["worker"] for t in study.trials}  # the replacement ran trials
    assert elapsed < 30  # the retry does not wait for anything but the grace period (about 6 s unloaded)


@pytest.mark.slow
def test_workers_forked_after_torch_ran_on_two_threads_do_not_hang(tmp_path):
    """A parent whose torch computed on two OpenMP threads forks workers whose torch must not wait for
    the parent's thread pool (it did: every worker hung in its first parallel operation, which is how
    chapter 8 ran in a two-thread kernel)."""
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(f"""
        import sys, torch
        from dlcourse import studies, tuning as T
        torch.set_num_threads(2)
        torch.randn(2_000_000).exp().sum()  # large enough for torch to use both threads: the pool exists now

        def objective(params, budget):
            x = torch.full((2_000_000,), params["x"])  # parallel elementwise work in the worker
            return float(-(x.exp().mean() - 1.3) ** 2)

        result = studies.run_workers(objective, {{"x": T.uniform(0, 1)}}, n_workers=2, n_trials=4, max_budget=1,
                                     pruner=None, storage="sqlite:///{tmp_path}/study.db", study_name="threads")
        print("finished", len(result))
    """))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, start_new_session=True)
    try:
        out, err = parent.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(parent.pid, signal.SIGKILL)  # the hung workers too
        out, err = parent.communicate()
        pytest.fail(f"the workers hung (killed after 60 s): {err[-1500:]}")
    assert parent.returncode == 0 and "finished 4" in out, out[-1000:] + err[-2000:]
