"""The visible checks of Lab 08 (hyperparameter tuning), one function per part."""

from __future__ import annotations

__all__ = [
    "FINAL_EPOCHS",
    "LAB",
    "MARGIN",
    "PARTS",
    "SEARCH_BUDGET",
    "OverBudget",
    "counting_objective",
    "part_a",
    "part_b",
    "part_c",
    "part_d",
    "progress",
]

import math

import numpy as np
import torch

from dlcourse import grading as _grading
from dlcourse import tuning as T

from . import Part, lab_progress

LAB = "Lab 08"

#: The lab's rules for part D, as its setup cell states them: every configuration is judged after
#: FINAL_EPOCHS epochs, the search may spend SEARCH_BUDGET epochs, and the chosen configuration must
#: beat the default's validation accuracy by MARGIN. The default is chapter 8's baseline configuration;
#: no configuration the chapter prints reaches the default's score + MARGIN in the lab's setting.
FINAL_EPOCHS, SEARCH_BUDGET, MARGIN = 9, 120, 0.025


def part_a(sample_loguniform) -> None:
    """Part A: 20,000 log-uniform draws on [1e-4, 1]: their range, their share per decade, reproducibility.

    Parameters
    ----------
    sample_loguniform : callable
        The student's ``sample_loguniform(low, high, n, rng)``.
    """
    with _grading.Checker("part A") as check:
        x = sample_loguniform(1e-4, 1.0, 20000, np.random.default_rng(0))
        shares = np.histogram(np.log10(x), bins=[-4, -3, -2, -1, 0])[0] / len(x)
        check.true(
            isinstance(x, np.ndarray) and x.shape == (20000,),
            "returns an array of n values",
            hint=f"got {type(x).__name__} of shape {getattr(x, 'shape', None)}",
        )
        check.true(bool(x.min() >= 1e-4 and x.max() <= 1.0), "every value lies in [low, high]")
        rng = np.random.default_rng(0)
        reference = (
            np.histogram(
                np.log10([T.loguniform(1e-4, 1.0).sample(rng) for _ in range(20000)]), bins=[-4, -3, -2, -1, 0]
            )[0]
            / 20000
        )
        check.close(
            torch.tensor(shares), torch.tensor(reference), "share of draws per decade (reference: 1/4 each)", atol=0.02
        )
        check.close(
            sample_loguniform(1e-3, 1e-1, 5, np.random.default_rng(7)).tolist(),
            sample_loguniform(1e-3, 1e-1, 5, np.random.default_rng(7)).tolist(),
            "same seed, same draws",
        )


def _toy(p, b):
    return -abs(math.log10(p["lr"]) + 2) + (p["act"] == "relu")


def part_b(random_search) -> None:
    """Part B: 12 trials of random search on a toy objective: the records, the space, the seed, the best score.

    Parameters
    ----------
    random_search : callable
        The student's ``random_search(objective, space, n_trials, budget, seed=0)``.
    """
    toy_space = {"lr": (1e-4, 1.0), "act": ["relu", "tanh"]}
    with _grading.Checker("part B") as check:
        trials = random_search(_toy, toy_space, 12, 3, seed=1)
        check.true(isinstance(trials, list) and len(trials) == 12, "12 records for n_trials=12")
        check.true(
            all(set(t) == {"params", "budget", "score"} for t in trials), "each record has params, budget, score"
        )
        check.true(all(t["budget"] == 3 for t in trials), "every trial used the budget")
        check.true(
            all(1e-4 <= t["params"]["lr"] <= 1 and t["params"]["act"] in ("relu", "tanh") for t in trials),
            "every configuration lies in the space",
        )
        check.close(
            [t["score"] for t in trials], [_toy(t["params"], 3) for t in trials], "scores come from the objective"
        )
        check.true(
            [t["params"] for t in random_search(_toy, toy_space, 12, 3, seed=1)] == [t["params"] for t in trials],
            "same seed, same configurations",
        )
        reference = T.random_search(
            _toy, {"lr": T.loguniform(1e-4, 1.0), "act": ["relu", "tanh"]}, n_trials=12, budget=3
        )
        check.true(
            max(t["score"] for t in trials) > -1.5,
            "the best trial is as good as a reference search finds",
            hint=f"the reference search found {reference.best.score:.3f}",
        )


def _toy_c(p, b):
    return -abs(math.log10(p["lr"]) + 2.2) + 0.01 * b


def part_c(successive_halving) -> None:
    """Part C: successive halving of 27 configurations (eta 3) promotes the reference's configurations.

    Parameters
    ----------
    successive_halving : callable
        The student's ``successive_halving(objective, configs, min_budget=1, eta=3)``.
    """
    configs = [{"lr": v} for v in np.geomspace(1e-4, 1.0, 27)]
    reference = T.run_halving(_toy_c, configs, min_budget=1, eta=3)
    with _grading.Checker("part C") as check:
        mine = successive_halving(_toy_c, configs, 1, 3)
        check.close([t["budget"] for t in mine], [t.budget for t in reference.trials], "budgets of every evaluation")
        check.true(
            [t["params"] for t in mine] == [t.params for t in reference.trials],
            "the same configurations are promoted, in the same order",
        )
        check.close(sum(t["budget"] for t in mine), 4 * 27, "total budget 27·1 + 9·3 + 3·9 + 1·27")


class OverBudget(RuntimeError):
    """Raised by a counting objective once a search asks for more epochs than the budget allows."""


def counting_objective(objective, budget: int = SEARCH_BUDGET):
    """``(counted, spent)``: ``objective`` wrapped so that ``spent["epochs"]`` adds up the epochs each call
    trains (``max(1, round(budget))``, as the lab's objective does) and ``spent["calls"]`` the calls; a call
    that would take the total past ``budget`` raises :class:`OverBudget` instead of training.

    Parameters
    ----------
    objective : callable
        The lab's objective ``objective(params, epochs) -> score``; the wrapper passes it the rounded epochs.
    budget : int, default SEARCH_BUDGET
        The most epochs all the calls together may train.

    Returns
    -------
    counted : callable
        ``counted(params, epochs) -> score``, the counting objective.
    spent : dict
        ``{"epochs": ..., "calls": ...}``, updated by every call of ``counted`` that trains.
    """
    spent = {"epochs": 0, "calls": 0}

    def counted(params, epochs):
        epochs = max(1, int(round(epochs)))
        if spent["epochs"] + epochs > budget:
            raise OverBudget(f"the search asked for {spent['epochs'] + epochs} epochs; the budget is {budget}")
        spent["epochs"] += epochs
        spent["calls"] += 1
        return objective(params, epochs)

    return counted, spent


def _stand_in(params, epochs):
    """A cheap objective with the lab's interface, for the visible check of the search's budget."""
    lr = float(params.get("lr", 0.01)) if isinstance(params, dict) else 0.01
    return 0.9 - 0.1 * abs(math.log10(max(lr, 1e-12)) + 1.2) + 0.001 * min(epochs, FINAL_EPOCHS)


def part_d(search, best_params, SPENT, objective, default_score) -> None:
    """Part D: the search stays within budget when called with a counting stand-in objective, it did so in the
    notebook, ``best_params`` beats the default by :data:`MARGIN` after :data:`FINAL_EPOCHS` epochs (one
    training), and the test split was evaluated exactly once.

    Parameters
    ----------
    search : callable
        The student's ``search(objective)``, returning the chosen configuration.
    best_params : dict
        The student's chosen configuration (``lr``, ``width``, ``activation``).
    SPENT : dict
        The lab's counters of search epochs and test evaluations.
    objective : callable
        The lab's ``objective(params, budget)``: validation accuracy after ``budget`` epochs.
    default_score : float
        The default configuration's validation accuracy, measured by the lab's setup cell.
    """
    with _grading.Checker("part D") as check:
        counted, spent = counting_objective(_stand_in)
        try:
            search(counted)
            over = ""
        except OverBudget as error:
            over = str(error)
        check.true(
            not over and spent["epochs"] > 0,
            f"search(objective) trains only through the objective it is given, at most {SEARCH_BUDGET} epochs "
            "(a counting stand-in objective)",
            hint=over or "it never called the objective it was given",
        )
        check.true(
            SPENT["epochs"] <= SEARCH_BUDGET,
            f"the search spent at most {SEARCH_BUDGET} epochs",
            hint=f"spent {SPENT['epochs']}",
        )
        check.true(
            isinstance(best_params, dict) and {"lr", "width", "activation"} <= set(best_params),
            "best_params has lr, width and activation",
        )
        score = objective(best_params, FINAL_EPOCHS)
        check.true(
            score >= default_score + MARGIN,
            f"validation accuracy of best_params beats the default by {MARGIN}",
            hint=f"got {score:.4f}, the default {default_score:.4f}",
        )
        check.true(
            SPENT["test_calls"] == 1,
            "the test split was evaluated exactly once",
            hint=f"final_test_score was called {SPENT['test_calls']} times",
        )


#: The parts with a visible check, in order (part E is a written answer).
PARTS = (
    Part("A", "log-uniform sampling", part_a, ("sample_loguniform",)),
    Part("B", "random search", part_b, ("random_search",)),
    Part("C", "successive halving", part_c, ("successive_halving",)),
    Part(
        "D",
        "beat the default within a budget",
        part_d,
        ("search", "best_params"),
        given=("SPENT", "objective", "default_score"),
    ),
)


progress = lab_progress(__name__)
