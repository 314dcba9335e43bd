"""dlcourse.diagnostics.errors: error analysis, the worst examples and the gaps between levels of performance."""

import pytest
import torch

from dlcourse import diagnostics, models, runtime


def test_worst_examples_find_mislabelled_examples():
    from dlcourse.data import load_breast_cancer
    from dlcourse.training import fit

    data = load_breast_cancer(seed=0)
    X, y = data.train
    y = y.clone()
    planted = torch.tensor([3, 60, 100, 200, 300])
    y[planted] = 1 - y[planted]  # planted bug: five flipped labels
    runtime.seed_everything(0)
    m = models.make_mlp(30, 2, depth=1, width=16)
    fit(m, (X, y), epochs=30, lr=1e-2, progress=False, metric=None)
    idx, losses = diagnostics.worst_examples(m, X, y, k=5)
    assert set(idx.tolist()) == set(planted.tolist())
    assert torch.all(losses[:-1] >= losses[1:])


def test_performance_gaps_pick_the_largest_gap():
    high_bias = diagnostics.performance_gaps(0.01, 0.08, 0.10)
    assert high_bias["avoidable bias"] == pytest.approx(0.07) and high_bias["variance"] == pytest.approx(0.02)
    assert high_bias["focus"] == "avoidable bias" and "bigger model" in high_bias["remedy"]
    assert diagnostics.performance_gaps(0.01, 0.015, 0.10)["focus"] == "variance"
    mismatch = diagnostics.performance_gaps(0.01, 0.02, 0.12, train_dev_error=0.025)
    assert mismatch["focus"] == "data mismatch" and mismatch["variance"] == pytest.approx(0.005)
    with pytest.raises(TypeError, match="^val_error"):
        diagnostics.performance_gaps(0.01, 0.02, "x")
