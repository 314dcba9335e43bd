"""Interactive explorers: a thin ipywidgets layer over pure plotting functions.

The rule: the plotting function (tested, importable, used for the static figure in the
book) does all the work; the explorer only maps widget values to its arguments. In the
rendered book, where no kernel runs, the chapter shows the static figure for the default
values next to the explorer.
"""

from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt

from . import activations as A
from .plotting import plot_activation


def interactive_plot(plot_fn: Callable, **controls):
    """Wrap ``plot_fn(**kwargs)`` (which draws one figure) in ``ipywidgets.interactive``.

    ``controls`` are ipywidgets (or abbreviations ipywidgets understands, such as a tuple
    ``(min, max, step)`` or a list of options), one per keyword of ``plot_fn``.
    """
    import ipywidgets as widgets  # imported here: the library works without a notebook front-end
    from IPython.display import display

    def draw(**kwargs):
        fig = plot_fn(**kwargs)
        display(fig)
        # Close at once: a figure left open would be shown again by the inline backend at the
        # end of whichever cell runs next.
        plt.close(fig)

    return widgets.interactive(draw, **controls)


def activation_figure(name: str = "relu", parameter: float = 0.1):
    """The explorer's figure: activation ``name`` and its derivative, with ``parameter`` used as
    its one tunable parameter where it has one (slope, α, β); ignored otherwise."""
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    params = _parameter_for(name, parameter)
    plot_activation(name, ax=ax, **params)
    ax.set_ylim(-2.5, 4.0)
    return fig


_TUNABLE = {"leaky_relu": "negative_slope", "elu": "alpha", "prelu": "init", "softplus": "beta"}


def _parameter_for(name: str, parameter: float) -> dict:
    key = _TUNABLE.get(name)
    if key is None:
        return {}
    if key == "beta" and parameter <= 0:
        parameter = 0.05  # softplus needs beta > 0; the slider starts at 0
    return {key: float(parameter)}


def activation_explorer():
    """Pick an activation and its parameter; see the function and its derivative."""
    import ipywidgets as widgets

    return interactive_plot(
        activation_figure,
        name=widgets.Dropdown(options=A.activation_names(), value="relu", description="activation"),
        parameter=widgets.FloatSlider(value=0.1, min=0.0, max=2.0, step=0.05, description="α / slope / β"),
    )


def hyperband_figure(max_budget: int = 81, eta: int = 3):
    """The explorer's figure: Hyperband's brackets for maximum resource ``max_budget`` and
    reduction factor ``eta`` (:func:`dlcourse.tuning.hyperband_brackets`): configurations
    :math:`n_i` against the budget :math:`r_i` each receives, one line per bracket, with each
    bracket's total cost :math:`\\sum_i n_i r_i` in the legend."""
    from .tuning import hyperband_brackets

    brackets = hyperband_brackets(max_budget, eta)
    fig, ax = plt.subplots(figsize=(6, 3.8))
    s_max = len(brackets) - 1
    for k, rungs in enumerate(brackets):
        n, r = zip(*rungs)
        cost = sum(ni * ri for ni, ri in rungs)
        ax.plot(r, n, "o-", label=f"s={s_max - k}: cost {cost:.4g}")
        for ni, ri in rungs:
            ax.annotate(str(ni), (ri, ni), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set(xscale="log", yscale="log", xlabel="budget per configuration r_i (epochs)",
           ylabel="configurations n_i", title=f"Hyperband brackets, R={max_budget}, η={eta}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def hyperband_explorer():
    """Choose the maximum budget R and the reduction factor η; see Hyperband's brackets."""
    import ipywidgets as widgets

    return interactive_plot(
        hyperband_figure,
        max_budget=widgets.IntSlider(value=81, min=2, max=243, description="R"),
        eta=widgets.IntSlider(value=3, min=2, max=6, description="η"),
    )
