"""dlcourse.strategy: the choices name the registries, the objective, the loop end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from dlcourse import data, tuning
from dlcourse import strategy as S


def test_choices_are_the_registries_names():
    from dlcourse.losses import LOSSES
    from dlcourse.metrics import METRICS
    from dlcourse.optim import OPTIMIZER_NAMES

    for cfg in S.COMMON_CONFIGURATIONS.values():
        assert cfg.P in METRICS and cfg.C in LOSSES and cfg.A in OPTIMIZER_NAMES
        assert cfg.metric is METRICS[cfg.P][0] and cfg.mode == ("max" if METRICS[cfg.P][1] else "min")


def test_objective_builds_the_optimizer_with_the_trial_lr_and_weight_decay(monkeypatch):
    seen = {}
    real_fit = S.fit

    def spy_fit(model, *args, **kwargs):
        seen.update(kwargs)
        opt = kwargs["optimizer"](model.parameters())
        seen["lr_used"], seen["wd_used"] = opt.defaults["lr"], opt.defaults["weight_decay"]
        return real_fit(model, *args, **kwargs)

    monkeypatch.setattr(S, "fit", spy_fit)
    moons = data.make_moons(100, seed=0)
    cfg = S.Strategy(
        "moons",
        P="accuracy",
        C="cross-entropy",
        W="he",
        A="adamw",
        T="random",
        space={"lr": tuning.loguniform(1e-3, 5e-2)},
    )
    S.make_objective(cfg, moons, device="cpu")({"lr": 0.02, "weight_decay": 0.1}, 1)
    assert "lr" not in seen and seen["lr_used"] == 0.02 and seen["wd_used"] == 0.1


@pytest.mark.parametrize("scheme", ["xavier", "he"])
def test_initialize_statistics(scheme):
    torch.manual_seed(0)
    layer = S.initialize(nn.Sequential(nn.Linear(400, 300)), scheme)[0]
    expected = math.sqrt(2 / 700) if scheme == "xavier" else math.sqrt(2 / 400)
    assert layer.weight.std().item() == pytest.approx(expected, rel=0.02)
    assert torch.all(layer.bias == 0)


def test_bad_choices_name_the_letter():
    space = {"lr": tuning.loguniform(1e-3, 1e-1)}
    for letter in "PCWAT":
        kwargs = dict(P="accuracy", C="cross-entropy", W="he", A="adam", T="random")
        kwargs[letter] = "nonsense"
        with pytest.raises(ValueError, match=f"^{letter} must be one of"):
            S.Strategy("x", space=space, **kwargs)
    with pytest.raises(ValueError, match="^space is empty"):
        S.Strategy("x", P="accuracy", C="cross-entropy", W="he", A="adam", T="random", space={})
    with pytest.raises(TypeError, match="^strategy"):
        S.run_strategy("classification", data.make_moons(100))


def test_common_configurations_are_complete():
    assert set(S.COMMON_CONFIGURATIONS) == {
        "classification",
        "regression",
        "imbalanced classification",
        "time-series forecasting",
        "image tasks",
    }
    rows = [cfg.row() for cfg in S.COMMON_CONFIGURATIONS.values()]
    assert all(len(r) == 6 for r in rows)


def test_run_strategy_returns_the_best_model_by_p():
    moons = data.make_moons(300, noise=0.2, seed=0)
    cfg = S.Strategy(
        "moons",
        P="accuracy",
        C="cross-entropy",
        W="he",
        A="adam",
        T="random",
        space={"lr": tuning.loguniform(1e-3, 5e-2), "width": [8, 16]},
        search_kwargs={"n_trials": 3, "budget": 3},
    )
    result = S.run_strategy(cfg, moons, seed=0)
    assert len(result.search) == 3
    assert result.val_score == pytest.approx(max(t.score for t in result.search.trials))
    assert result.params == result.search.best.params
    # the returned model is the trained one: it reproduces its validation score
    from dlcourse.training import evaluate

    assert evaluate(result.model, moons.val)[1] == pytest.approx(result.val_score)
    assert 0.5 <= result.test_score(moons) <= 1.0


def test_regression_strategy_minimises_rmse():
    diabetes = data.load_diabetes(seed=0)
    cfg = S.COMMON_CONFIGURATIONS["regression"]
    result = S.run_strategy(cfg, diabetes, budget=3)
    assert cfg.mode == "min"
    assert result.val_score == pytest.approx(min(t.score for t in result.search.trials))


def test_seasonal_windows_are_chronological():
    series = data.seasonal_series(200, period=20, noise=0.0, trend=0.0)
    assert np.allclose(series[:20], series[20:40], atol=1e-5)
    d = data.make_seasonal_windows(200, lags=10)
    # consecutive windows overlap by lags - 1 values, also across the train/val border
    assert torch.allclose(d.X_train[-1, 1:], d.X_val[0, :-1])
    assert torch.allclose(d.X_val[0, -1:], d.y_train[-1])
    with pytest.raises(ValueError, match="^n_steps"):
        data.make_seasonal_windows(10, lags=10)
