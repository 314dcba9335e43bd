import numpy as np
import pytest
import torch
from hypothesis import given, settings
from sklearn import datasets as skdatasets
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from dlcourse import data
from dlcourse.normalization import Standardizer

from .strategies import split_cases


@pytest.mark.parametrize(
    "loader,n,shape,classes",
    [
        (lambda: data.load_digits(), 1797, (64,), 10),
        (lambda: data.load_digits(as_images=True), 1797, (1, 8, 8), 10),
        (lambda: data.load_breast_cancer(), 569, (30,), 2),
        (lambda: data.load_diabetes(), 442, (10,), None),
        (lambda: data.make_moons(400), 400, (2,), 2),
        (lambda: data.make_spirals(600, n_classes=3), 600, (2,), 3),
    ],
)
def test_loaders_return_disjoint_splits_of_expected_shape(loader, n, shape, classes):
    d = loader()
    assert len(d.y_train) + len(d.y_val) + len(d.y_test) == n
    assert tuple(d.X_train.shape[1:]) == shape and d.X_train.dtype == torch.float32
    assert d.n_classes == classes
    assert abs(len(d.y_test) / n - 0.15) < 0.01 and abs(len(d.y_val) / n - 0.15) < 0.01
    rows = lambda X: {tuple(r) for r in X.reshape(len(X), -1).tolist()}
    assert not (rows(d.X_train) & rows(d.X_test))


def test_standardisation_is_fitted_on_train_only():
    d = data.load_breast_cancer()
    torch.testing.assert_close(d.X_train.mean(0), torch.zeros(30), atol=1e-5, rtol=0)
    torch.testing.assert_close(d.X_train.std(0, unbiased=False), torch.ones(30), atol=1e-4, rtol=0)
    assert d.X_test.mean(0).abs().max() > 1e-3  # test statistics were not used


def test_splits_are_stratified_and_deterministic():
    a, b = data.load_digits(seed=3), data.load_digits(seed=3)
    torch.testing.assert_close(a.X_train, b.X_train)
    counts = torch.bincount(a.y_train, minlength=10).float() / len(a.y_train)
    counts_test = torch.bincount(a.y_test, minlength=10).float() / len(a.y_test)
    assert (counts - counts_test).abs().max() < 0.02
    assert not torch.equal(data.load_digits(seed=4).y_train, a.y_train)


def test_standardizer_matches_sklearn_and_survives_constant_features():
    X = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    X[:, 2] = 7.0
    ours = Standardizer().fit_transform(torch.tensor(X))
    ref = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(ours.numpy(), ref, atol=1e-5)
    s = Standardizer().fit(torch.tensor(X))
    torch.testing.assert_close(s.inverse_transform(s.transform(torch.tensor(X))), torch.tensor(X))


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match="not fitted"):
        Standardizer().transform(torch.zeros(2, 2))
    with pytest.raises(TypeError, match="X must be a floating-point tensor"):
        Standardizer().fit(torch.zeros(2, 2, dtype=torch.long))


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


def test_spirals_are_balanced_and_seeded():
    X, y = data.spirals(300, n_classes=3, seed=1)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    np.testing.assert_array_equal(X, data.spirals(300, n_classes=3, seed=1)[0])


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
