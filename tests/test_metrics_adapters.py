"""dlcourse.metrics.adapters: the metrics of a model's output, for fit, against sklearn.metrics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from dlcourse import metrics as M


def test_metric_adapters_for_fit():
    logits = torch.tensor([[2.0, -1.0], [0.0, 1.0], [1.0, 0.5], [-1.0, 3.0]])
    target = torch.tensor([0, 1, 1, 1])
    assert M.f1_metric(logits, target) == pytest.approx(skm.f1_score([0, 1, 1, 1], [0, 1, 0, 1]))
    assert M.auc_metric(logits, target) == pytest.approx(skm.roc_auc_score([0, 1, 1, 1], [-3.0, 1.0, -0.5, 4.0]))
    assert np.isnan(M.auc_metric(logits, torch.ones(4, dtype=torch.long)))
    one_logit = torch.tensor([[1.0], [-2.0]])
    assert M.f1_metric(one_logit, torch.tensor([[1.0], [0.0]])) == 1.0
    assert M.macro_f1_metric(logits, target) == pytest.approx(skm.f1_score(target, [0, 1, 0, 1], average="macro"))
    out, y = torch.tensor([[1.0], [3.0]]), torch.tensor([[2.0], [1.0]])
    assert M.mae_metric(out, y) == pytest.approx(1.5)
    assert M.rmse_metric(out, y) == pytest.approx(np.sqrt(2.5))


def test_accuracy_metric_reads_soft_targets_and_single_logits():
    out = torch.tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0]])
    soft = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]])
    assert M.accuracy_metric(out, soft) == pytest.approx(2 / 3)
    assert M.accuracy_metric(torch.tensor([[1.5], [-0.5]]), torch.tensor([[1.0], [1.0]])) == 0.5


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 300), classes=st.integers(2, 12), seed=st.integers(0, 2**16))
def test_accuracy_metric_counts_on_tensors_to_the_same_float_as_accuracy_score(n, classes, seed):
    g = torch.Generator().manual_seed(seed)
    logits, target = torch.randn(n, classes, generator=g), torch.randint(0, classes, (n,), generator=g)
    assert M.accuracy_metric(logits, target) == M.accuracy_score(target, logits.argmax(dim=1))
