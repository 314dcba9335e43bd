"""dlcourse.metrics.curves against sklearn.metrics: ROC and precision-recall curves, ROC AUC with ties."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from sklearn import metrics as skm

from dlcourse import metrics as M

from .strategies import binary_scores


@given(case=binary_scores())
def test_roc_auc_with_ties_matches_sklearn(case):
    y, s = case
    assert M.roc_auc_score(y, s) == pytest.approx(skm.roc_auc_score(y, s), abs=1e-12)


@given(case=binary_scores())
def test_roc_curve_matches_sklearn_with_and_without_dropping(case):
    y, s = case
    for drop in (True, False):
        for ours, theirs in zip(M.roc_curve(y, s, drop_intermediate=drop), skm.roc_curve(y, s, drop_intermediate=drop)):
            np.testing.assert_allclose(ours, theirs)


@given(case=binary_scores())
def test_precision_recall_curve_matches_sklearn(case):
    y, s = case
    for ours, theirs in zip(M.precision_recall_curve(y, s), skm.precision_recall_curve(y, s)):
        np.testing.assert_allclose(ours, theirs)


def test_auc_on_random_continuous_scores_and_the_rank_formula():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = rng.normal(size=200) + y
    auc = M.roc_auc_score(torch.tensor(y), torch.tensor(s))
    assert auc == pytest.approx(skm.roc_auc_score(y, s))
    pos, neg = s[y == 1][:, None], s[y == 0][None, :]
    assert auc == pytest.approx(np.mean(pos > neg) + 0.5 * np.mean(pos == neg))


def test_all_scores_tied_gives_one_half():
    assert M.roc_auc_score([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3]) == 0.5


def test_auc_with_a_single_class_is_an_error():
    with pytest.raises(ValueError, match="y_true"):
        M.roc_auc_score([1, 1, 1], [0.1, 0.2, 0.3])
