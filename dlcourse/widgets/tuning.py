"""The explorer of hyperparameter search (chapter 8): Hyperband's brackets of configurations and budgets."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .base import interactive_plot

__all__ = [
    "hyperband_figure",
    "hyperband_explorer",
]


def hyperband_figure(max_budget: int = 81, eta: int = 3):
    """The explorer's figure: Hyperband's brackets for maximum resource ``max_budget`` and
    reduction factor ``eta`` (:func:`dlcourse.tuning.hyperband_brackets`): configurations
    :math:`n_i` against the budget :math:`r_i` each receives, one line per bracket, with each
    bracket's total cost :math:`\\sum_i n_i r_i` in the legend.

    Parameters
    ----------
    max_budget : int, default 81
        The maximum resource :math:`R` per configuration; must be > 0.
    eta : int, default 3
        The reduction factor :math:`\\eta`; must be >= 2.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure.
    """
    from ..tuning import hyperband_brackets

    brackets = hyperband_brackets(max_budget, eta)
    fig, ax = plt.subplots(figsize=(6, 3.8))
    s_max = len(brackets) - 1
    for k, rungs in enumerate(brackets):
        n, r = zip(*rungs)
        cost = sum(ni * ri for ni, ri in rungs)
        ax.plot(r, n, "o-", label=f"s={s_max - k}: cost {cost:.4g}")
        for ni, ri in rungs:
            ax.annotate(str(ni), (ri, ni), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="budget per configuration r_i (epochs)",
        ylabel="configurations n_i",
        title=f"Hyperband brackets, R={max_budget}, η={eta}",
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def hyperband_explorer():
    """Choose the maximum budget R and the reduction factor η; see Hyperband's brackets.

    Returns
    -------
    ipywidgets.interactive
        The controls and the figure; display it in a notebook.
    """
    import ipywidgets as widgets

    return interactive_plot(
        hyperband_figure,
        max_budget=widgets.IntSlider(value=81, min=2, max=243, description="R"),
        eta=widgets.IntSlider(value=3, min=2, max=6, description="η"),
    )
