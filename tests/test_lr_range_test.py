"""dlcourse.lr_range_test: the range test restores the model, stops on an exploding loss, and suggests a rate."""

from __future__ import annotations

import pytest
import torch

from dlcourse import lr_range_test as R
from dlcourse.data import load_digits
from dlcourse.models import make_mlp
from dlcourse.runtime import seed_everything


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_lr_finder_restores_the_model_and_suggests_a_sane_rate(digits):
    seed_everything(0)
    model = make_mlp(64, 10, depth=1, width=32)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.eval()
    result = R.lr_finder(model, digits.train, lr_min=1e-4, lr_max=10.0, steps=80)
    assert not model.training  # mode restored
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k
    lrs, losses = result["lrs"], result["losses"]
    assert len(lrs) == len(losses) == len(result["smoothed"]) <= 80
    assert all(b > a for a, b in zip(lrs, lrs[1:]))
    assert 1e-4 <= result["suggested_lr"] <= 1.0
    assert result["suggested_lr"] == pytest.approx(R.suggest_lr(lrs, losses))


def test_lr_finder_stops_when_the_loss_explodes(digits):
    seed_everything(0)
    model = make_mlp(64, 10, depth=1, width=32)
    result = R.lr_finder(model, digits.train, lr_min=1e-3, lr_max=1e4, steps=100)
    assert len(result["lrs"]) < 100


def test_suggest_lr_rule():
    lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    losses = [2.3, 2.2, 1.0, 0.5, 50.0]
    assert R.suggest_lr(lrs, losses, smoothing=0.0) == pytest.approx(1e-2)
    assert R.suggest_lr(lrs, losses[:-1] + [float("nan")], smoothing=0.0) == pytest.approx(1e-2)
    with pytest.raises(ValueError, match="^lrs"):
        R.suggest_lr([1e-3], [1.0, 2.0])
    with pytest.raises(ValueError, match="^smoothing"):
        R.suggest_lr(lrs, losses, smoothing=1.0)


def test_lr_finder_bad_range(digits):
    with pytest.raises(ValueError, match="^lr_max"):
        R.lr_finder(make_mlp(64, 10, depth=1, width=8), digits.train, lr_min=1.0, lr_max=0.1)


def test_the_names_chapter_4_and_lab_4_call_stay_in_schedules():
    from dlcourse import schedules

    assert schedules.lr_finder is R.lr_finder and schedules.suggest_lr is R.suggest_lr
