"""dlcourse.data.splitting: DataSplits, and the random splits, drawn exactly as scikit-learn's
``train_test_split`` draws them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from sklearn import datasets as skdatasets
from sklearn.model_selection import train_test_split

from dlcourse import data

from .strategies import split_cases


def test_subset_and_to():
    d = data.load_digits().subset_train(100, seed=1)
    assert len(d.y_train) == 100 and len(d.y_val) == 270
    assert d.to("cpu").X_train.device.type == "cpu"
    with pytest.raises(ValueError, match="n=5000 is larger"):
        d.subset_train(5000)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(val_size=0.6, test_size=0.5), "val_size \\+ test_size must be < 1"),
        (dict(val_size=-0.1), "val_size must be in"),
    ],
)
def test_split_indices_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.split_indices(100, **kwargs)


def test_make_splits_rejects_length_mismatch():
    with pytest.raises(ValueError, match="same length"):
        data.make_splits(np.zeros((5, 2)), np.zeros(4, dtype=np.int64), stratify=False)


@settings(max_examples=300, deadline=None)
@given(split_cases())
def test_shuffle_split_draws_exactly_what_sklearn_train_test_split_draws(case):
    n, test_size, seed, labels = case
    items = np.arange(100, 100 + n)
    try:
        expected = train_test_split(items, test_size=test_size, random_state=seed, stratify=labels)
    except ValueError:  # scikit-learn refuses it (a class of 1, a part smaller than the classes): so do we
        with pytest.raises(ValueError):
            data.shuffle_split(items, test_size, seed=seed, stratify=labels)
        return
    rest, test = data.shuffle_split(items, test_size, seed=seed, stratify=labels)
    np.testing.assert_array_equal(rest, expected[0])
    np.testing.assert_array_equal(test, expected[1])


def test_the_course_splits_equal_sklearns():
    """The splits every chapter stores outputs of: digits and breast cancer (stratified), diabetes (not)."""
    for seed in (0, 1, 2):
        for labels in (skdatasets.load_digits().target, skdatasets.load_breast_cancer().target, None):
            n = 442 if labels is None else len(labels)
            tv, te = train_test_split(np.arange(n), test_size=0.15, random_state=seed, stratify=labels)
            tr, va = train_test_split(
                tv, test_size=0.15 / 0.85, random_state=seed, stratify=None if labels is None else labels[tv]
            )
            ours = data.split_indices(n, seed=seed, stratify=labels)
            for a, b in zip(ours, (tr, va, te)):
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"test_size": 1.0}, "test_size"),
        ({"test_size": 0.9}, "empty"),
        ({"stratify": np.array([0, 1, 1, 1])}, "at least 2"),
        ({"stratify": np.array([0, 1])}, "one label per item"),
    ],
)
def test_shuffle_split_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.shuffle_split(np.arange(4), **{"test_size": 0.5, **kwargs})
