"""dlcourse.data.real: the loaders of scikit-learn's data sets split by class and standardise on the training
split only."""

from __future__ import annotations

import torch

from dlcourse import data


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
