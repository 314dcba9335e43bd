"""dlcourse.metrics.regression against sklearn.metrics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from sklearn import metrics as skm

from dlcourse import metrics as M

from .strategies import label_pairs


@given(pair=label_pairs(max_classes=10))
def test_regression_metrics_match_sklearn(pair):
    t, p = np.array(pair[0], float), np.array(pair[1], float) * 1.5
    assert M.mean_squared_error(t, p) == pytest.approx(skm.mean_squared_error(t, p))
    assert M.mean_absolute_error(t, p) == pytest.approx(skm.mean_absolute_error(t, p))
    assert M.root_mean_squared_error(t, p) == pytest.approx(skm.root_mean_squared_error(t, p))
