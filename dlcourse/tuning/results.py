"""The record of a search: a :class:`Trial` per evaluation of the objective and the :class:`SearchResult`
every search returns, with the checks and the timed evaluation that all the searches share.
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .._checks import check_positive, check_positive_int

__all__ = [
    "MODES",
    "Trial",
    "SearchResult",
]

MODES = ("max", "min")


@dataclass
class Trial:
    """One evaluation of the objective: its hyperparameters, budget, score and wall time.

    Parameters
    ----------
    params : dict
        The hyperparameter values ``{name: value}``.
    budget : float
        The resource spent (e.g. epochs); an int where the search gives ints.
    score : float
        The objective's value (NaN for a failed run, which every search ranks last).
    seconds : float
        Wall time of the evaluation.
    bracket : int, optional
        The Hyperband bracket ``s`` the trial ran in; ``None`` outside :func:`hyperband`.
    rung : int, optional
        The rung of successive halving, Hyperband or ASHA (the round of :func:`zoom_search`, the generation
        of an evolutionary search); ``None`` where there is none.
    pruned : bool, default False
        Whether the trial was stopped early (an Optuna pruner); its score is then the last one reported.
    """

    params: dict
    budget: float
    score: float
    seconds: float
    bracket: int | None = None
    rung: int | None = None
    pruned: bool = False

    def as_dict(self) -> dict:
        """The trial as one flat row: its params, then ``budget``, ``score``, ``seconds``; ``bracket`` and ``rung``
        only if ``bracket`` is set, ``pruned`` only if true.

        Returns
        -------
        dict
            The row, as :meth:`SearchResult.table` lays it out.
        """
        row = dict(self.params)
        row.update(budget=self.budget, score=self.score, seconds=self.seconds)
        if self.bracket is not None:
            row.update(bracket=self.bracket, rung=self.rung)
        if self.pruned:
            row.update(pruned=True)
        return row


@dataclass
class SearchResult:
    """All the trials a search ran, in order, and the best by score (``mode`` ``"max"`` or ``"min"``).

    Parameters
    ----------
    trials : list of Trial, optional
        The trials, in the order they ran; empty by default.
    mode : {"max", "min"}, default "max"
        Whether a higher or a lower score is better.
    method : str, default ""
        The name of the search that ran (``"grid"``, ``"random"``, ``"hyperband"``, …).
    """

    trials: list[Trial] = field(default_factory=list)
    mode: str = "max"
    method: str = ""

    @property
    def best(self) -> Trial:
        """The trial with the best score (NaN scores ignored; the first trial if every score is NaN); raises
        ``ValueError`` if there are no trials."""
        if not self.trials:
            raise ValueError("trials is empty: the search ran nothing")
        key = (lambda t: t.score) if self.mode == "max" else (lambda t: -t.score)
        return max((t for t in self.trials if not math.isnan(t.score)), key=key, default=self.trials[0])

    @property
    def total_budget(self) -> float:
        """Sum of the budgets of all trials (the resource spent, e.g. epochs)."""
        return float(sum(t.budget for t in self.trials))

    def best_so_far(self) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative budget spent after each trial, and the best score seen up to then.

        Returns
        -------
        spent : numpy.ndarray
            Cumulative budget after each trial, shape ``(len(trials),)``.
        best : numpy.ndarray
            Best score among the trials so far, same shape (NaN scores are skipped; ``-inf``/``inf`` until a
            first score).
        """
        spent = np.cumsum([t.budget for t in self.trials], dtype=float)
        scores = np.array([t.score for t in self.trials], dtype=float)
        scores = np.where(np.isnan(scores), -np.inf if self.mode == "max" else np.inf, scores)
        best = np.maximum.accumulate(scores) if self.mode == "max" else np.minimum.accumulate(scores)
        return spent, best

    def table(self):
        """The trials as a pandas ``DataFrame``, one row per trial.

        Returns
        -------
        pandas.DataFrame
            One row per trial (:meth:`Trial.as_dict`): a column per hyperparameter, then ``budget``,
            ``score``, ``seconds`` and, where set, ``bracket``, ``rung`` and ``pruned``.
        """
        import pandas as pd

        return pd.DataFrame([t.as_dict() for t in self.trials])

    def __len__(self) -> int:
        return len(self.trials)


def _check_objective(objective) -> Callable:
    if not callable(objective):
        raise TypeError(f"objective must be callable f(params, budget) -> score, got {type(objective).__name__}")
    return objective


def _evaluate(objective, params: dict, budget, **extra) -> Trial:
    start = time.perf_counter()
    score = float(objective(dict(params), budget))
    return Trial(dict(params), budget, score, time.perf_counter() - start, **extra)


def _budget(budget):
    """A positive budget; ints stay ints (epochs)."""
    if isinstance(budget, numbers.Integral) and not isinstance(budget, bool):
        return check_positive_int(budget, "budget")
    return check_positive(budget, "budget")
