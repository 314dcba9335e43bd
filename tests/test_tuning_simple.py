"""dlcourse.tuning.simple: exact grid searches, seeded random search, zooming in on the best."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlcourse import tuning as T

from .tuning_cases import toy


def test_grid_enumerates_the_cartesian_product_exactly():
    space = {
        "lr": T.loguniform(1e-4, 1e-2),
        "act": ["relu", "tanh"],
        "depth": T.integer(1, 3),
        "p": T.uniform(0.0, 0.5),
    }
    points = T.grid(space, points=3)
    assert len(points) == 3 * 2 * 3 * 3
    assert len({tuple(sorted(p.items())) for p in points}) == len(points)
    assert sorted({p["lr"] for p in points}) == pytest.approx([1e-4, 1e-3, 1e-2])
    assert sorted({p["p"] for p in points}) == pytest.approx([0.0, 0.25, 0.5])
    assert sorted({p["depth"] for p in points}) == [1, 2, 3]
    result = T.grid_search(toy, space, points=3, budget=2)
    assert [t.params for t in result.trials] == points
    assert result.best.params["lr"] == pytest.approx(1e-2) and result.best.params["act"] == "relu"
    assert result.total_budget == 2 * len(points)


def test_random_search_is_reproducible_by_seed():
    space = {"lr": T.loguniform(1e-5, 1), "act": ["relu", "tanh", "gelu"], "width": T.integer(8, 256, log=True)}
    a = T.random_search(toy, space, n_trials=15, seed=3)
    b = T.random_search(toy, space, n_trials=15, seed=3)
    c = T.random_search(toy, space, n_trials=15, seed=4)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.params for t in a.trials] != [t.params for t in c.trials]
    assert all(8 <= t.params["width"] <= 256 for t in a.trials)


def test_zoom_search_narrows_around_the_best():
    space = {"lr": T.loguniform(1e-6, 1.0)}
    result = T.zoom_search(toy, space, n_rounds=3, n_trials=10, shrink=0.3, seed=0)
    assert len(result) == 30
    last = [math.log10(t.params["lr"]) for t in result.trials if t.rung == 2]
    first = [math.log10(t.params["lr"]) for t in result.trials if t.rung == 0]
    assert np.ptp(last) < 0.3 * 0.3 * 6 + 1e-9 < np.ptp(first)
    assert abs(math.log10(result.best.params["lr"]) + 2) < 0.3
