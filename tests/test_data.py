"""dlcourse.data: every loader's splits, the Standardizer they fit, and the photographs. (The tests of each
module are in tests/test_data_<module>.py, for dlcourse/data/<module>.py.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler

from dlcourse import data
from dlcourse.normalization import Standardizer


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


def test_load_photos_shape_and_range():
    photos = data.load_photos(32)
    assert photos.shape == (3, 3, 32, 32) and photos.min() >= 0 and photos.max() <= 1
