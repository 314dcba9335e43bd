"""dlcourse.metrics.base: the input checks, through every metric that calls them."""

from __future__ import annotations

import pytest

from dlcourse import metrics as M


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
