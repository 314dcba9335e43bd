"""dlcourse.studies.search: Optuna in memory (the chapter's stored outputs pin its results) and a shared study
reproduced by its worker index."""

from __future__ import annotations

import math

import pytest

from dlcourse import tuning as T

from .studies_cases import parabola
from .tuning_cases import toy

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_optuna_search_in_memory_with_pruning():
    def objective(params, budget, report=None):
        value = 0.0
        for epoch in range(1, budget + 1):
            value = toy(params, epoch)
            if report is not None:
                report(epoch, value)
        return value

    result = T.optuna_search(
        objective, {"lr": T.loguniform(1e-4, 1), "act": ["relu", "tanh"]}, n_trials=30, max_budget=9, seed=0
    )
    assert len(result) == 30
    assert any(t.pruned for t in result.trials) and all(t.budget <= 9 for t in result.trials)
    assert result.total_budget < 30 * 9
    assert abs(math.log10(result.best.params["lr"]) + 2) < 0.5


def test_a_shared_study_with_a_worker_index_is_reproducible(tmp_path):
    def params(name):
        result = T.optuna_search(
            parabola,
            {"x": T.uniform(0, 1)},
            n_trials=4,
            max_budget=1,
            pruner=None,
            storage=f"sqlite:///{tmp_path / name}",
            worker=3,
            seed=5,
        )
        return [t.params["x"] for t in result.trials]

    assert params("a.db") == params("b.db")
