"""dlcourse.metrics: the METRICS registry against sklearn.metrics. (The tests of each module are in
tests/test_metrics_<module>.py, for dlcourse/metrics/<module>.py.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from dlcourse import metrics as M


def test_registry_metrics_match_sklearn_on_model_outputs():
    g = torch.Generator().manual_seed(0)
    out = torch.randn(200, 2, generator=g)
    y = (torch.rand(200, generator=g) < 0.7).long()  # class 0 is the minority here
    pred = out.argmax(1).numpy()
    fns = {name: fn for name, (fn, _) in M.METRICS.items()}
    assert fns["accuracy"](out, y) == pytest.approx(skm.accuracy_score(y.numpy(), pred))
    assert fns["f1 (minority class)"](out, y) == pytest.approx(skm.f1_score(y.numpy(), pred, pos_label=0))
    assert fns["roc auc"](out, y) == pytest.approx(skm.roc_auc_score(y.numpy(), out.softmax(1)[:, 1].numpy()))
    reg, target = torch.randn(50, 1, generator=g), torch.randn(50, 1, generator=g)
    assert fns["mse"](reg, target) == pytest.approx(skm.mean_squared_error(target, reg), rel=1e-6)
    assert fns["rmse"](reg, target) == pytest.approx(skm.root_mean_squared_error(target, reg), rel=1e-6)
    assert fns["mae"](reg, target) == pytest.approx(skm.mean_absolute_error(target, reg), rel=1e-6)
    assert {name for name, (_, greater) in M.METRICS.items() if greater} == {
        "accuracy",
        "f1 (minority class)",
        "roc auc",
    }


def test_roc_auc_of_one_class_batch_is_nan():
    assert np.isnan(M.METRICS["roc auc"][0](torch.randn(4, 2), torch.zeros(4, dtype=torch.long)))
