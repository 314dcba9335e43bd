"""dlcourse.tuning (the package): every search names a bad argument the same way.
(The tests of each module are in tests/test_tuning_<module>.py, for dlcourse/tuning/<module>.py; search spaces:
tests/test_spaces.py; Optuna's searches: tests/test_studies*.py.)"""

from __future__ import annotations

import pytest

from dlcourse import tuning as T

from .tuning_cases import toy


@pytest.mark.parametrize(
    "call, exc, first_word",
    [
        (lambda: T.random_search(toy, {}, n_trials=3), ValueError, "space"),
        (lambda: T.random_search(toy, {"lr": T.loguniform(1e-3, 1)}, n_trials=3, budget=0), ValueError, "budget"),
        (lambda: T.grid_search(toy, {"lr": [0.1]}, budget=-1.0), ValueError, "budget"),
        (lambda: T.successive_halving(toy, {"lr": [0.1]}, n_configs=9, min_budget=0), ValueError, "budget"),
        (lambda: T.hyperband(toy, {"lr": [0.1]}, max_budget=0), ValueError, "budget"),
        (lambda: T.hyperband(toy, {"lr": [0.1]}, max_budget=9, eta=1), ValueError, "eta"),
        (lambda: T.random_search(toy, {"lr": 0.1}, n_trials=3), TypeError, "space"),
        (lambda: T.random_search("f", {"lr": [0.1]}, n_trials=3), TypeError, "objective"),
        (lambda: T.random_search(toy, {"lr": [0.1]}, n_trials=3, mode="best"), ValueError, "mode"),
    ],
)
def test_bad_arguments_name_the_argument(call, exc, first_word):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(first_word)
