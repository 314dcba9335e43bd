"""dlcourse.data.synthetic: the data sets generated from a seed."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import data


def test_spirals_are_balanced_and_seeded():
    X, y = data.spirals(300, n_classes=3, seed=1)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    np.testing.assert_array_equal(X, data.spirals(300, n_classes=3, seed=1)[0])


@pytest.mark.parametrize("val_size, test_size", [(0.5, 0.5), (0.6, 0.45), (0.5, 0.49)])
def test_seasonal_windows_refuse_splits_that_leave_no_training_windows(val_size, test_size):
    # 100 windows: 0.5 + 0.49 leaves one, too few to standardise with
    with pytest.raises(ValueError, match=r"val_size \+ test_size must leave at least two"):
        data.make_seasonal_windows(124, lags=24, val_size=val_size, test_size=test_size)


def test_seasonal_windows_split_sizes_add_up():
    d = data.make_seasonal_windows(124, lags=24, val_size=0.3, test_size=0.2)
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (50, 30, 20)
