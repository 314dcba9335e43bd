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


# --------------------------------------------------------------------------- gradient descent (chapter 0)
#: Batch sizes offered by :func:`gradient_descent_explorer`; ``0`` stands for the full training set.
GD_BATCH_SIZES = (1, 8, 32, 128, 0)


def gradient_descent_figure(lr: float = 0.1, batch_size: int = 32, epochs: int = 10, seed: int = 0):
    """The explorer's figure: the training loss of logistic regression on breast cancer, trained by
    :func:`dlcourse.autodiff.minibatch_gd` with learning rate ``lr`` and ``batch_size`` (``0`` = the
    whole training set), against epochs, beside full-batch gradient descent at the same ``lr``."""
    from .autodiff import minibatch_gd
    from .data import load_breast_cancer

    X, y = load_breast_cancer(seed=seed).train
    size = len(X) if batch_size in (0, None) else batch_size
    run = minibatch_gd(X, y, batch_size=size, lr=lr, epochs=epochs, seed=seed)
    full = minibatch_gd(X, y, batch_size=len(X), lr=lr, epochs=epochs, seed=seed)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(run.epoch, run.loss, lw=1, label=f"batch size {run.batch_size} ({run.steps_per_epoch} steps/epoch)")
    ax.plot(full.epoch, full.loss, "k--", lw=1.5, label=f"full batch ({len(X)})")
    ax.set(xlabel="epoch", ylabel="training loss (log scale)", yscale="log",
           title=f"logistic regression, breast cancer, lr = {lr:g}")
    ax.legend(fontsize=8)
    return fig


def gradient_descent_explorer():
    """Pick a learning rate and a batch size; see the training-loss curve."""
    import ipywidgets as widgets

    return interactive_plot(
        gradient_descent_figure,
        lr=widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=1, step=0.25, description="learning rate"),
        batch_size=widgets.SelectionSlider(options=[(str(b) if b else "full", b) for b in GD_BATCH_SIZES],
                                           value=32, description="batch size"),
    )
