"""dlcourse.tuning.results: the best trial is the one with the best score, the largest or the smallest."""

from __future__ import annotations

import pytest

from dlcourse import tuning as T


def test_mode_min_selects_the_smallest_score():
    result = T.grid_search(lambda p, b: (p["x"] - 0.3) ** 2, {"x": T.uniform(0, 1)}, points=11, mode="min")
    assert result.best.params["x"] == pytest.approx(0.3)
