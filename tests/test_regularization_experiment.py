"""dlcourse.regularization.experiment: the two-moons experiment overfits, the lab's remedy closes the gap;
its components and device; the chapter's explorer on it."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlcourse import regularization as R
from dlcourse.regularization import experiment as X


def test_moons_experiment_overfits_and_the_lab_remedy_closes_the_gap():
    baseline = X.moons_experiment(seed=0)
    assert baseline["train_acc"] > 0.97 and baseline["gap"] > 0.08  # more than Lab 05 part E allows
    fixed = X.moons_experiment(l2=0.02, dropout=0.3, patience=20, seed=0)  # Lab 05's reference answer
    assert fixed["gap"] < 0.08 and fixed["val_acc"] >= 0.78 and fixed["history"].stopped_early


def test_moons_experiment_uses_the_components_it_is_given():
    calls = []

    def counting_l2(model, alpha):
        calls.append(alpha)
        return R.l2_penalty(model, alpha)

    run = X.moons_experiment(
        l2=0.01, dropout=0.2, epochs=3, components={"l2_penalty": counting_l2, "Dropout": nn.Dropout}
    )
    assert calls and set(calls) == {0.01}
    assert any(isinstance(m, nn.Dropout) for m in run["model"].modules())
    with pytest.raises(ValueError, match="^components"):
        X.moons_experiment(components={"dropout": nn.Dropout})


def test_regularization_explorer_figure_and_widget():
    import matplotlib.pyplot as plt

    from dlcourse import widgets

    fig = widgets.regularization_figure(0.01, 0.3)
    title = fig.axes[0].get_title()
    assert "α=0.01" in title and "p=0.3" in title and "val acc" in title
    w = widgets.regularization_explorer()
    assert [c.description for c in w.children[:2]] == ["L2 α", "dropout p"]
    w.children[1].value = 0.5
    w.update()
    plt.close("all")


def test_moons_experiment_trains_on_the_device_it_is_given_and_by_default_on_the_librarys():
    from dlcourse.runtime import resolve_device

    run = X.moons_experiment(epochs=2, device="cpu")
    assert next(run["model"].parameters()).device == torch.device("cpu")
    run = X.moons_experiment(epochs=2)
    assert next(run["model"].parameters()).device.type == resolve_device().type
