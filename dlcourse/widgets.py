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


# --------------------------------------------------------------------------- regularization (chapter 5)
def regularization_figure(l2: float = 0.0, dropout: float = 0.0, ax=None):
    """The explorer's figure: decision boundary of :func:`dlcourse.regularization.moons_experiment` over its training points,
    with train and validation accuracy in the title."""
    from .plotting import plot_decision_boundary
    from .regularization import moons_experiment

    run = moons_experiment(l2=l2, dropout=dropout)
    splits = run["splits"]
    return plot_decision_boundary(run["model"], splits.X_train, splits.y_train, ax=ax, resolution=120,
                                  title=f"L2 α={l2:g}, dropout p={dropout:g}\n"
                                        f"train acc {run['train_acc']:.2f}, val acc {run['val_acc']:.2f}")


def regularization_explorer():
    """Pick the L2 strength and the dropout rate; see the decision boundary on the moons."""
    import ipywidgets as widgets

    return interactive_plot(
        regularization_figure,
        l2=widgets.SelectionSlider(options=[0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3], value=0.0,
                                   description="L2 α"),
        dropout=widgets.FloatSlider(value=0.0, min=0.0, max=0.8, step=0.1, description="dropout p"),
    )
