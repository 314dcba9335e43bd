"""dlcourse.study_workers: one study run by several processes, SQLite and PostgreSQL, every trial
accounted for when an objective raises, returns NaN, or its worker is killed in the middle of a trial;
workers forked after torch ran on two threads."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dlcourse import study_workers
from dlcourse import tuning as T

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)
State = optuna.trial.TrialState

ROOT = Path(__file__).resolve().parents[1]
FAST = {"heartbeat_interval": 1, "grace_period": 2}  # a dead worker's trial is retried within seconds


def parabola(params, budget):
    return -((params["x"] - 0.3) ** 2)


def test_run_workers_refuses_a_study_in_memory():
    with pytest.raises(ValueError, match="^storage"):
        study_workers.run_workers(
            parabola, {"x": T.uniform(0, 1)}, n_workers=2, n_trials=4, max_budget=1, storage="sqlite://"
        )


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
    result = study_workers.run_workers(
        two_workers_at_least(tmp_path / "calls"),
        {"x": T.uniform(0, 1)},
        n_workers=3,
        n_trials=12,
        max_budget=1,
        pruner=None,
        storage=storage,
        study_name="three",
        **FAST,
    )
    assert len(result) == 12 and result.method == "optuna tpe"
    assert not check_accounted_for(result.study, 12)
    workers = [t.user_attrs["worker"] for t in result.study.trials]
    assert len(set(workers)) > 1 and set(workers) <= {0, 1, 2}
    # a second call (another machine, say) adds its own trials, exactly
    again = study_workers.run_workers(
        parabola,
        {"x": T.uniform(0, 1)},
        n_workers=2,
        n_trials=5,
        max_budget=1,
        pruner=None,
        storage=storage,
        study_name="three",
        **FAST,
    )
    assert len(again) == 17 and not check_accounted_for(again.study, 17)
    assert time.perf_counter() - start < 30  # about 1.5 s unloaded


@pytest.mark.slow
def test_run_workers_reports_an_objective_that_raises(tmp_path):
    def objective(params, budget):
        if params["x"] > 0.5:
            raise ZeroDivisionError("the objective's own bug")
        return parabola(params, budget)

    with pytest.raises(RuntimeError, match="ZeroDivisionError: the objective's own bug"):
        study_workers.run_workers(
            objective,
            {"x": T.uniform(0, 1)},
            n_workers=2,
            n_trials=30,
            max_budget=1,
            pruner=None,
            storage=f"sqlite:///{tmp_path / 's.db'}",
            **FAST,
        )
    study = optuna.load_study(study_name="dlcourse-0", storage=f"sqlite:///{tmp_path / 's.db'}")
    assert not study.get_trials(states=(State.RUNNING, State.WAITING))  # the other worker finished its trial


@pytest.mark.slow
def test_run_workers_counts_a_nan_score_as_run(tmp_path):
    """As in optuna_search: Optuna fails a trial whose value is NaN, and the result leaves it out."""
    result = study_workers.run_workers(
        lambda p, b: math.nan if p["x"] > 0.5 else p["x"],
        {"x": T.uniform(0, 1)},
        n_workers=2,
        n_trials=8,
        max_budget=1,
        pruner=None,
        storage=f"sqlite:///{tmp_path / 's.db'}",
        **FAST,
    )
    trials = result.study.trials
    assert len(trials) == 8 and all(t.user_attrs["returned"] for t in trials)
    assert len(result) == sum(t.state == State.COMPLETE for t in trials) == sum(t.params["x"] <= 0.5 for t in trials)


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
    result = study_workers.run_workers(
        kill_once(tmp_path / "calls", on_call=1, seconds=0.5),
        {"x": T.uniform(0, 1)},
        n_workers=3,
        n_trials=12,
        max_budget=1,
        pruner=None,
        storage=url,
        study_name="killed",
        **FAST,
    )
    elapsed = time.perf_counter() - start
    study = optuna.load_study(study_name="killed", storage=url)
    failed = check_accounted_for(study, 12)
    killed = json.loads((tmp_path / "calls" / "killed.json").read_text())
    assert [t.params for t in failed] == [killed]
    assert sorted(t.params["x"] for t in result.trials) == sorted(
        t.params["x"] for t in study.trials if t.state != State.FAIL
    )
    assert len(list((tmp_path / "calls").glob("call-*"))) == 13  # 12 trials and the killed one, nothing more
    assert 3 in {t.user_attrs["worker"] for t in study.trials}  # the replacement ran trials
    assert elapsed < 30  # the retry does not wait for anything but the grace period (about 6 s unloaded)


@pytest.mark.slow
def test_workers_forked_after_torch_ran_on_two_threads_do_not_hang(tmp_path):
    """A parent whose torch computed on two OpenMP threads forks workers whose torch must not wait for
    the parent's thread pool (it did: every worker hung in its first parallel operation, which is how
    chapter 8 ran in a two-thread kernel)."""
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys, torch
        from dlcourse import study_workers, tuning as T
        torch.set_num_threads(2)
        torch.randn(2_000_000).exp().sum()  # large enough for torch to use both threads: the pool exists now

        def objective(params, budget):
            x = torch.full((2_000_000,), params["x"])  # parallel elementwise work in the worker
            return float(-(x.exp().mean() - 1.3) ** 2)

        result = study_workers.run_workers(objective, {{"x": T.uniform(0, 1)}}, n_workers=2, n_trials=4, max_budget=1,
                                     pruner=None, storage="sqlite:///{tmp_path}/study.db", study_name="threads")
        print("finished", len(result))
    """)
    )
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        out, err = parent.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(parent.pid, signal.SIGKILL)  # the hung workers too
        out, err = parent.communicate()
        pytest.fail(f"the workers hung (killed after 60 s): {err[-1500:]}")
    assert parent.returncode == 0 and "finished 4" in out, out[-1000:] + err[-2000:]
