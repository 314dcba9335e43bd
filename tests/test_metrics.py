"""dlcourse.metrics against sklearn.metrics: random cases, edge cases, ties, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from sklearn import metrics as skm

from dlcourse import metrics as M

from .strategies import binary_scores, label_pairs

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


@given(pair=label_pairs(max_classes=10))
def test_regression_metrics_match_sklearn(pair):
    t, p = np.array(pair[0], float), np.array(pair[1], float) * 1.5
    assert M.mean_squared_error(t, p) == pytest.approx(skm.mean_squared_error(t, p))
    assert M.mean_absolute_error(t, p) == pytest.approx(skm.mean_absolute_error(t, p))
    assert M.root_mean_squared_error(t, p) == pytest.approx(skm.root_mean_squared_error(t, p))


@pytest.mark.parametrize(
    "fn",
    [
        M.accuracy_score,
        M.f1_score,
        M.precision_score,
        M.recall_score,
        M.confusion_matrix,
        M.mean_squared_error,
        M.mean_absolute_error,
        M.roc_auc_score,
        M.roc_curve,
        M.precision_recall_curve,
    ],
)
def test_mismatched_lengths_and_empty_input_are_errors(fn):
    other = "y_score" if fn in (M.roc_auc_score, M.roc_curve, M.precision_recall_curve) else "y_pred"
    with pytest.raises(ValueError, match=f"^{other} must have the same length as y_true"):
        fn([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="^y_true must not be empty"):
        fn([], [])


def test_bad_average_and_too_many_classes_for_binary():
    with pytest.raises(ValueError, match="^average"):
        M.f1_score([0, 1], [0, 1], average="micro-ish")
    with pytest.raises(ValueError, match="^y_true must hold two classes"):
        M.f1_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="^y_pred must be 1-D"):
        M.accuracy_score([0, 1], np.zeros((2, 3)))


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


# --------------------------------------------------------------------------- the METRICS registry
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


def test_accuracy_metric_reads_soft_targets_and_single_logits():
    out = torch.tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0]])
    soft = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]])
    assert M.accuracy_metric(out, soft) == pytest.approx(2 / 3)
    assert M.accuracy_metric(torch.tensor([[1.5], [-0.5]]), torch.tensor([[1.0], [1.0]])) == 0.5


def test_roc_auc_of_one_class_batch_is_nan():
    assert np.isnan(M.METRICS["roc auc"][0](torch.randn(4, 2), torch.zeros(4, dtype=torch.long)))
