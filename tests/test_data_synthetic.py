"""dlcourse.data.synthetic: the data sets generated from a seed."""

from __future__ import annotations

import numpy as np

from dlcourse import data


def test_spirals_are_balanced_and_seeded():
    X, y = data.spirals(300, n_classes=3, seed=1)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    np.testing.assert_array_equal(X, data.spirals(300, n_classes=3, seed=1)[0])
