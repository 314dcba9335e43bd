"""dlcourse.metrics.classification against sklearn.metrics: random cases, edge cases, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from sklearn import metrics as skm

from dlcourse import metrics as M

from .strategies import label_pairs

AVERAGES = ["binary", "macro", "weighted"]
SK_PRF = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}
OURS = {"precision": M.precision_score, "recall": M.recall_score, "f1": M.f1_score}


def sk(fn, *args, **kwargs):
    return fn(*args, zero_division=0, **kwargs)


@given(pair=label_pairs())
def test_accuracy_and_confusion_matrix_match_sklearn(pair):
    t, p = pair
    assert M.accuracy_score(t, p) == pytest.approx(skm.accuracy_score(t, p))
    np.testing.assert_array_equal(M.confusion_matrix(t, p), skm.confusion_matrix(t, p))


@pytest.mark.parametrize("metric", list(SK_PRF))
@pytest.mark.parametrize("average", ["macro", "weighted"])
@given(pair=label_pairs())
def test_multiclass_scores_match_sklearn(metric, average, pair):
    t, p = pair
    assert OURS[metric](t, p, average=average) == pytest.approx(sk(SK_PRF[metric], t, p, average=average))


@pytest.mark.parametrize("metric", list(SK_PRF))
@given(pair=label_pairs(max_classes=2))
def test_binary_scores_match_sklearn(metric, pair):
    t, p = pair
    assert OURS[metric](t, p) == pytest.approx(sk(SK_PRF[metric], t, p))


EDGE_CASES = {
    "positive class absent from y_true": ([0, 0, 0, 0], [0, 1, 0, 1]),
    "all predictions negative": ([0, 1, 1, 0], [0, 0, 0, 0]),
    "all predictions positive": ([0, 1, 1, 0], [1, 1, 1, 1]),
    "perfect": ([0, 1, 1, 0], [0, 1, 1, 0]),
    "one example": ([1], [1]),
}


@pytest.mark.parametrize("metric", list(SK_PRF))
@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_edge_cases_match_sklearn(metric, average, case):
    t, p = EDGE_CASES[case]
    assert OURS[metric](t, p, average=average) == pytest.approx(sk(SK_PRF[metric], t, p, average=average))


def test_multiclass_with_a_class_absent_and_tensors_as_input():
    t, p = torch.tensor([0, 0, 2, 2, 2]), torch.tensor([0, 1, 2, 2, 0])  # class 1 only predicted
    for average in ("macro", "weighted"):
        assert M.f1_score(t, p, average=average) == pytest.approx(
            sk(skm.f1_score, t.numpy(), p.numpy(), average=average)
        )
    np.testing.assert_array_equal(M.confusion_matrix(t, p), skm.confusion_matrix(t.numpy(), p.numpy()))


def test_bad_average_and_too_many_classes_for_binary():
    with pytest.raises(ValueError, match="^average"):
        M.f1_score([0, 1], [0, 1], average="micro-ish")
    with pytest.raises(ValueError, match="^y_true must hold two classes"):
        M.f1_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="^y_pred must be 1-D"):
        M.accuracy_score([0, 1], np.zeros((2, 3)))
