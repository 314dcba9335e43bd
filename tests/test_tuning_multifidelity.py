"""dlcourse.tuning.multifidelity: the published Hyperband brackets and budgets, successive halving, ASHA's
promotions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlcourse import tuning as T

from .tuning_cases import toy

#: Li et al. 2017, Table 1 (R = 81, eta = 3): per bracket s, the rungs (n_i, r_i).
LI_TABLE_1 = {
    4: [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    3: [(34, 3), (11, 9), (3, 27), (1, 81)],
    2: [(15, 9), (5, 27), (1, 81)],
    1: [(8, 27), (2, 81)],
    0: [(5, 81)],
}


def test_hyperband_brackets_match_li_et_al_table_1():
    brackets = T.hyperband_brackets(81, 3)
    assert brackets == [LI_TABLE_1[s] for s in (4, 3, 2, 1, 0)]
    assert all(isinstance(r, int) for b in brackets for _, r in b)


def test_successive_halving_allocates_the_published_budgets():
    result = T.successive_halving(
        toy, {"lr": T.loguniform(1e-4, 1), "act": ["relu", "tanh"]}, n_configs=81, min_budget=1, eta=3
    )
    by_rung = [[t.budget for t in result.trials if t.rung == i] for i in range(5)]
    assert [(len(b), b[0]) for b in by_rung] == LI_TABLE_1[4]
    assert all(len(set(b)) == 1 for b in by_rung)
    assert result.total_budget == 5 * 81
    # the survivors of each rung are the best of the previous one
    rung0 = sorted((t for t in result.trials if t.rung == 0), key=lambda t: -t.score)
    assert {str(t.params) for t in rung0[:27]} == {str(t.params) for t in result.trials if t.rung == 1}


def test_hyperband_runs_every_bracket_with_exact_budgets():
    result = T.hyperband(toy, {"lr": T.loguniform(1e-4, 1)}, max_budget=81, eta=3, seed=1)
    for s, rungs in LI_TABLE_1.items():
        for i, (n_i, r_i) in enumerate(rungs):
            trials = [t for t in result.trials if t.bracket == s and t.rung == i]
            assert len(trials) == n_i and {t.budget for t in trials} == {r_i}
    expected = sum(n * r for rungs in LI_TABLE_1.values() for n, r in rungs)
    assert result.total_budget == expected
    spent, best = result.best_so_far()
    assert spent[-1] == expected and np.all(np.diff(best) >= 0)


def test_hyperband_figure_draws_one_line_per_bracket():
    import matplotlib.pyplot as plt

    from dlcourse import widgets

    fig = widgets.hyperband_figure(81, 3)
    assert len(fig.axes[0].lines) == 5
    assert list(fig.axes[0].lines[0].get_ydata()) == [81, 27, 9, 3, 1]
    plt.close(fig)
    assert widgets.hyperband_explorer() is not None


@pytest.mark.parametrize("eta, max_budget, total", [(3, 9, 81), (2, 8, 40), (3, 27, 200)])
def test_asha_promotes_only_the_top_fraction_of_what_has_finished(eta, max_budget, total):
    space = {"lr": T.loguniform(1e-4, 1.0)}
    result = T.asha(T.toy_learning_curve, space, max_budget=max_budget, total_budget=total, eta=eta, seed=1)
    assert result.method == "asha" and result.total_budget <= total
    assert result.total_budget > total - max_budget  # it stops only when the next job would not fit
    done: dict[int, list] = {}
    for trial in result.trials:
        assert trial.budget == eta**trial.rung
        if trial.rung > 0:  # brute force: at that moment, in the top floor(n/eta) of the rung below
            below = sorted(done[trial.rung - 1], key=lambda t: -t.score)
            top = below[: len(below) // eta]
            assert any(t.params == trial.params for t in top), (trial, below)
        done.setdefault(trial.rung, []).append(trial)
    assert max(t.rung for t in result.trials) == round(math.log(max_budget, eta))


def test_asha_reaches_the_full_budget_sooner_than_successive_halving_on_the_same_budget():
    space = {"lr": T.loguniform(1e-4, 1.0)}
    asha = T.asha(T.toy_learning_curve, space, max_budget=9, total_budget=81, seed=0)
    halving = T.successive_halving(T.toy_learning_curve, space, n_configs=27, min_budget=1, n_rounds=3, seed=0)

    def first_full(result):
        spent = 0
        for t in result.trials:
            spent += t.budget
            if t.budget == 9:
                return spent

    assert first_full(asha) < first_full(halving) == 63
    again = T.asha(T.toy_learning_curve, space, max_budget=9, total_budget=81, seed=0)
    assert [(t.params, t.budget, t.score) for t in again.trials] == [(t.params, t.budget, t.score) for t in asha.trials]


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"eta": 1}, ValueError, "eta"),
        ({"min_budget": 27}, ValueError, "min_budget"),
        ({"total_budget": 0}, ValueError, "total_budget"),
        ({"mode": "best"}, ValueError, "mode"),
    ],
)
def test_asha_rejects_bad_arguments_by_name(kwargs, error, name):
    with pytest.raises(error, match=name):
        T.asha(T.toy_learning_curve, {"lr": T.loguniform(1e-4, 1.0)}, **{"max_budget": 9, "total_budget": 81, **kwargs})
