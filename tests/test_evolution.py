"""dlcourse.evolution: the (μ + λ) evolution strategy, checked against a brute-force reference.

Oracle: (μ + λ) selection is elitist, so after the last generation the population is the μ best of
*all* trials; the mutation's unit-coordinate step is a Gaussian of standard deviation σ (checked with a
Kolmogorov-Smirnov test away from the bounds); and the first μ trials are random search's first μ.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from dlcourse import tuning as T
from dlcourse.evolution import evolution_search, mutate

SPACE = {
    "lr": T.loguniform(1e-4, 1e-1),
    "width": T.integer(8, 128, log=True),
    "p": T.uniform(0.0, 0.5),
    "depth": T.integer(1, 4),
    "act": ["relu", "tanh", "sigmoid"],
}


def toy(params, budget):
    """Peaks at lr = 1e-2, width 32, p = 0.1, relu."""
    return (
        -abs(math.log10(params["lr"]) + 2)
        - abs(math.log2(params["width"] / 32)) / 4
        - abs(params["p"] - 0.1)
        + (params["act"] == "relu")
    )


def test_counts_generations_budget_and_shared_start_with_random_search():
    result = evolution_search(toy, SPACE, mu=3, lam=5, n_generations=4, budget=2, seed=7)
    assert isinstance(result, T.SearchResult) and result.method == "evolution" and result.mode == "max"
    assert len(result) == 3 + 4 * 5 and result.total_budget == 2 * 23
    assert [t.rung for t in result.trials] == [0] * 3 + [g for g in range(1, 5) for _ in range(5)]
    random = T.random_search(toy, SPACE, n_trials=3, budget=2, seed=7)
    assert [t.params for t in result.trials[:3]] == [t.params for t in random.trials]
    again = evolution_search(toy, SPACE, mu=3, lam=5, n_generations=4, budget=2, seed=7)
    assert [t.params for t in again.trials] == [t.params for t in result.trials]  # seeded: reproducible


@pytest.mark.parametrize("mode", ["max", "min"])
def test_parents_are_always_the_mu_best_of_all_earlier_trials(mode, monkeypatch):
    """Brute-force oracle for plus selection: record every parent handed to ``mutate`` and check
    that it is one of the μ best of *all* trials scored before its generation (elitism)."""
    import dlcourse.evolution as E

    parents_seen, real_mutate = [], E.mutate
    monkeypatch.setattr(
        E, "mutate", lambda params, *a, **k: parents_seen.append(dict(params)) or real_mutate(params, *a, **k)
    )
    mu, lam, generations = 3, 4, 5
    result = E.evolution_search(toy, SPACE, mu=mu, lam=lam, n_generations=generations, seed=1, mode=mode)
    sign = 1 if mode == "max" else -1
    assert len(parents_seen) == lam * generations
    for g in range(1, generations + 1):
        earlier = result.trials[: mu + (g - 1) * lam]
        best = sorted(earlier, key=lambda t: -sign * t.score)[:mu]
        for parent in parents_seen[(g - 1) * lam : g * lam]:
            assert parent in [t.params for t in best]
    assert result.best.score == (max if mode == "max" else min)(t.score for t in result.trials)


def test_finds_the_toy_optimum_better_than_its_random_start():
    gains = []
    for seed in range(5):
        result = evolution_search(toy, SPACE, mu=4, lam=8, n_generations=10, seed=seed)
        scores = np.array([t.score for t in result.trials])
        gains.append(scores[-8:].mean() - scores[:4].mean())
        assert result.best.params["act"] == "relu"
        assert abs(math.log10(result.best.params["lr"]) + 2) < 0.5
    assert min(gains) > 0.3  # the last generation is better than the random start on every seed


def test_mutation_step_is_gaussian_in_the_unit_coordinate_and_stays_in_bounds():
    rng = np.random.default_rng(0)
    space = {
        "x": T.uniform(0.0, 10.0),
        "lr": T.loguniform(1e-4, 1.0),
        "n": T.integer(1, 100, log=True),
        "c": ["a", "b"],
    }
    parent = {"x": 5.0, "lr": 1e-2, "n": 10, "c": "a"}
    kids = [mutate(parent, space, rng, sigma=0.05, p_switch=0.3) for _ in range(4000)]
    steps_x = np.array([(k["x"] - 5.0) / 10.0 for k in kids])
    steps_lr = np.array([(math.log(k["lr"]) - math.log(1e-2)) / math.log(1e4) for k in kids])
    for steps in (steps_x, steps_lr):
        assert stats.kstest(steps / 0.05, "norm").pvalue > 1e-3
    assert all(1 <= k["n"] <= 100 and isinstance(k["n"], int) for k in kids)
    switched = np.mean([k["c"] != "a" for k in kids])
    assert switched == pytest.approx(0.3 / 2, abs=0.03)  # redrawn with prob. 0.3, to "b" half of the time
    edge = [mutate({"x": 9.99, "lr": 0.99, "n": 100, "c": "a"}, space, rng, sigma=0.5) for _ in range(500)]
    assert all(0.0 <= k["x"] <= 10.0 and 1e-4 <= k["lr"] <= 1.0 for k in edge)  # reflected, never outside


def test_nan_scores_are_never_selected():
    f = lambda p, b: float("nan") if p["act"] == "sigmoid" else toy(p, b)  # noqa: E731
    result = evolution_search(f, SPACE, mu=3, lam=3, n_generations=3, seed=0)
    assert not math.isnan(result.best.score)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"mu": 0}, ValueError, "mu"),
        ({"lam": 1.5}, TypeError, "lam"),
        ({"n_generations": 0}, ValueError, "n_generations"),
        ({"sigma": 0.0}, ValueError, "sigma"),
        ({"p_switch": 1.5}, ValueError, "p_switch"),
        ({"mode": "best"}, ValueError, "mode"),
        ({"budget": 0}, ValueError, "budget"),
    ],
)
def test_arguments_are_validated(kwargs, error, match):
    with pytest.raises(error, match=match):
        evolution_search(toy, SPACE, **kwargs)


def test_objective_space_and_params_are_validated():
    with pytest.raises(TypeError, match="objective"):
        evolution_search(3, SPACE)
    with pytest.raises(ValueError, match="space"):
        evolution_search(toy, {})
    with pytest.raises(ValueError, match="params"):
        mutate({"lr": 1e-2}, SPACE, np.random.default_rng(0))
