"""dlcourse.splits: ratios, stratification, disjointness, no group leakage, determinism, errors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import KFold

from dlcourse import splits as S
from dlcourse.data import split_indices


def labels_10_percent(n=1000):
    return (np.arange(n) % 10 == 0).astype(int)


def assert_partition(parts, n):
    joined = np.concatenate(parts)
    assert len(joined) == n and len(np.unique(joined)) == n


@pytest.mark.parametrize("ratios", [(0.7, 0.15, 0.15), (0.6, 0.2, 0.2), (0.98, 0.01, 0.01)])
def test_ratios_and_disjointness(ratios):
    parts = S.train_val_test_split(1000, ratios=ratios, seed=0)
    assert_partition(parts, 1000)
    assert [len(p) for p in parts] == [round(1000 * r) for r in ratios]


def test_stratification_keeps_a_rare_class_share_in_every_split():
    y = labels_10_percent()
    parts = S.train_val_test_split(y, ratios=(0.6, 0.2, 0.2), seed=3)
    assert [y[p].mean() for p in parts] == pytest.approx([0.1, 0.1, 0.1], abs=0.006)


def test_same_as_the_loaders_split_and_deterministic():
    a = S.train_val_test_split(500, ratios=(0.7, 0.15, 0.15), seed=4)
    b = split_indices(500, val_size=0.15, test_size=0.15, seed=4)
    c = S.train_val_test_split(500, ratios=(0.7, 0.15, 0.15), seed=5)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "bad,error,match",
    [
        ((0.7, 0.2, 0.2), ValueError, "ratios must sum to 1"),
        ((0.5, 0.5), TypeError, "ratios must be a"),
        ((0.0, 0.5, 0.5), ValueError, "ratios must be non-negative"),
        ((1.2, -0.1, -0.1), ValueError, "ratios must be non-negative"),
    ],
)
def test_bad_ratios_are_errors(bad, error, match):
    with pytest.raises(error, match=f"^{match}"):
        S.train_val_test_split(100, ratios=bad)
    with pytest.raises(error, match=f"^{match}"):
        S.group_split(np.arange(100), ratios=bad)


def test_group_split_has_no_leakage_and_approximate_ratios():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(200), rng.integers(1, 8, 200))
    parts = S.group_split(groups, ratios=(0.6, 0.2, 0.2), seed=1)
    assert_partition(parts, len(groups))
    assert S.leaking_groups(groups, *parts) == set()
    shares = [len(p) / len(groups) for p in parts]
    assert shares == pytest.approx([0.6, 0.2, 0.2], abs=0.02)
    again = S.group_split(groups, ratios=(0.6, 0.2, 0.2), seed=1)
    assert all(np.array_equal(x, y) for x, y in zip(parts, again))


def test_random_split_of_grouped_data_leaks_and_equal_groups_split_exactly():
    groups = np.repeat(np.arange(100), 5)
    assert len(S.leaking_groups(groups, *S.train_val_test_split(500, seed=0))) > 50
    parts = S.group_split(groups, ratios=(0.7, 0.15, 0.15), seed=0)
    assert [len(p) for p in parts] == [350, 75, 75]


def test_group_split_with_an_empty_split():
    parts = S.group_split(np.repeat(np.arange(10), 2), ratios=(0.8, 0.2, 0.0))
    assert [len(p) for p in parts] == [16, 4, 0]


@pytest.mark.parametrize("n,k", [(10, 5), (23, 4), (7, 7)])
def test_kfold_partitions_and_matches_sklearn_without_shuffle(n, k):
    folds = S.kfold(n, k=k, shuffle=False)
    for (tr, va), (str_, sva) in zip(folds, KFold(k).split(np.arange(n))):
        np.testing.assert_array_equal(tr, str_)
        np.testing.assert_array_equal(va, sva)
    shuffled = S.kfold(n, k=k, seed=2)
    assert_partition([va for _, va in shuffled], n)
    for tr, va in shuffled:
        assert_partition([tr, va], n)


def test_stratified_kfold_keeps_proportions():
    y = labels_10_percent(200)
    folds = S.stratified_kfold(y, k=5, seed=0)
    assert_partition([va for _, va in folds], 200)
    assert [y[va].sum() for _, va in folds] == [4] * 5
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, S.stratified_kfold(y, k=5, seed=0)))


def test_kfold_errors():
    with pytest.raises(ValueError, match="^k must be between"):
        S.kfold(5, k=6)
    with pytest.raises(ValueError, match="^k must be between"):
        S.stratified_kfold([0, 1, 0], k=1)


def test_train_dev_split():
    train, _, _ = S.train_val_test_split(100)
    tr, dev = S.train_dev_split(train, dev_size=0.1, seed=0)
    assert len(train) == 69 and len(dev) == 7 and len(tr) == 62
    assert set(tr) | set(dev) == set(train) and not set(tr) & set(dev)
    with pytest.raises(ValueError, match="^dev_size"):
        S.train_dev_split(train, dev_size=1.0)


def test_make_grouped():
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.array([0, 1, 0, 1, 0, 1])
    Xg, yg, g = S.make_grouped(X, y, copies=3, noise=0.0, flip=1.0, seed=0)
    assert Xg.shape == (18, 2) and np.array_equal(g, np.repeat(np.arange(6), 3))
    assert np.array_equal(yg, np.repeat(1 - y, 3))  # every group flipped, consistently
