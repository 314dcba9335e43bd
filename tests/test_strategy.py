"""dlcourse.strategy: metrics against sklearn, losses against torch, the loop end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn import metrics as skm
from torch import nn

from dlcourse import data, tuning
from dlcourse import strategy as S


def test_metrics_match_sklearn():
    g = torch.Generator().manual_seed(0)
    out = torch.randn(200, 2, generator=g)
    y = (torch.rand(200, generator=g) < 0.3).long()
    pred = out.argmax(1).numpy()
    minority = 1  # 30% positives
    assert S.f1_minority(out, y) == pytest.approx(skm.f1_score(y.numpy(), pred, pos_label=minority))
    assert S.roc_auc(out, y) == pytest.approx(skm.roc_auc_score(y.numpy(), out.softmax(1)[:, 1].numpy()))
    reg, target = torch.randn(50, 1, generator=g), torch.randn(50, 1, generator=g)
    assert S.rmse(reg, target) == pytest.approx(math.sqrt(skm.mean_squared_error(target, reg)), rel=1e-5)
    assert S.mae(reg, target) == pytest.approx(skm.mean_absolute_error(target, reg), rel=1e-5)


def test_weighted_cross_entropy_uses_inverse_class_frequencies():
    y = torch.tensor([0] * 30 + [1] * 10)
    loss = S.LOSSES["weighted cross-entropy"]((torch.zeros(40, 3), y))
    out = torch.randn(40, 2, generator=torch.Generator().manual_seed(1))
    weight = torch.tensor([40 / (2 * 30), 40 / (2 * 10)])
    assert loss(out, y).item() == pytest.approx(F.cross_entropy(out, y, weight=weight).item())


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
    assert set(S.COMMON_CONFIGURATIONS) == {"classification", "regression", "imbalanced classification",
                                            "time-series forecasting", "image tasks"}
    rows = [cfg.row() for cfg in S.COMMON_CONFIGURATIONS.values()]
    assert all(len(r) == 6 for r in rows)


def test_run_strategy_returns_the_best_model_by_p():
    moons = data.make_moons(300, noise=0.2, seed=0)
    cfg = S.Strategy("moons", P="accuracy", C="cross-entropy", W="he", A="adam", T="random",
                     space={"lr": tuning.loguniform(1e-3, 5e-2), "width": [8, 16]},
                     search_kwargs={"n_trials": 3, "budget": 3})
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
