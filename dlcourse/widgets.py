"""Interactive explorers: a thin ipywidgets layer over pure plotting functions.

The rule: the plotting function (tested, importable, used for the static figure in the
book) does all the work; the explorer only maps widget values to its arguments. In the
rendered book, where no kernel runs, the chapter shows the static figure for the default
values next to the explorer.
"""

from __future__ import annotations

import math
from typing import Callable

import matplotlib.pyplot as plt
import torch

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


# --------------------------------------------------------------------------- chapter 2: initialization
def init_figure(depth: int = 10, weight_std: float = 0.05, activation: str = "tanh", width: int = 256,
                n: int = 512, seed: int = 0):
    """The initialization explorer's figure: std of each hidden layer's output for an MLP of
    ``depth`` layers of ``width`` units whose weights are drawn from N(0, ``weight_std``²) (biases 0),
    fed a standard-normal batch of ``n`` rows. The Xavier and He standard deviations for this
    width are drawn as a reference: there the signal neither dies nor explodes."""
    from . import init as I
    from .models import make_mlp
    from .runtime import make_generator

    model = make_mlp(width, 10, depth=int(depth), width=width, activation=activation)
    I.init_model(model, "normal", std=float(weight_std), generator=make_generator(seed))
    X = torch.randn(n, width, generator=make_generator(seed + 1))
    stds = I.layer_stds(model, X)
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    ax.semilogy(range(1, len(stds) + 1), stds, "o-", label=f"{activation}, weight std {weight_std:.3g}")
    ax.axhline(1.0, color="grey", lw=0.5)
    ax.set_xlabel("hidden layer")
    ax.set_ylabel("std of the layer's output")
    shown = [s for s in stds if 0 < s < math.inf]
    if shown:
        ax.set_ylim(min(1e-3, min(shown) / 2), max(10.0, max(shown) * 2))
    ax.set_title(f"width {width}: Xavier std {math.sqrt(1 / width):.3f}, He std {math.sqrt(2 / width):.3f}",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def init_explorer():
    """Choose depth, weight std and activation; see the activation std of every layer."""
    import ipywidgets as widgets

    return interactive_plot(
        init_figure,
        depth=widgets.IntSlider(value=10, min=1, max=30, description="depth"),
        weight_std=widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=0.5, step=0.05, description="weight std"),
        activation=widgets.Dropdown(options=A.activation_names(), value="tanh", description="activation"),
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
