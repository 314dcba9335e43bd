"""Explorers of a network's building blocks: the activation functions (chapter 1) and the scale of the
signal through a deep network at initialization (chapter 2)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import torch

from .. import activations as A
from ..plotting import plot_activation
from .base import interactive_plot

__all__ = [
    "activation_figure",
    "activation_explorer",
    "init_figure",
    "init_explorer",
]


def activation_figure(name: str = "relu", parameter: float = 0.1):
    """The explorer's figure: activation ``name`` and its derivative, with ``parameter`` used as
    its one tunable parameter where it has one (slope, α, β); ignored otherwise.

    Parameters
    ----------
    name : str, default "relu"
        A name from :func:`dlcourse.activations.activation_names`.
    parameter : float, default 0.1
        ``negative_slope`` of ``"leaky_relu"``, ``alpha`` of ``"elu"``, ``init`` of ``"prelu"`` or ``beta`` of
        ``"softplus"`` (a ``beta <= 0`` is replaced by 0.05).

    Returns
    -------
    matplotlib.figure.Figure
        A new figure.
    """
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
    """Pick an activation and its parameter; see the function and its derivative.

    Returns
    -------
    ipywidgets.interactive
        The controls and the figure; display it in a notebook.
    """
    import ipywidgets as widgets

    return interactive_plot(
        activation_figure,
        name=widgets.Dropdown(options=A.activation_names(), value="relu", description="activation"),
        parameter=widgets.FloatSlider(value=0.1, min=0.0, max=2.0, step=0.05, description="α / slope / β"),
    )


def init_figure(
    depth: int = 10, weight_std: float = 0.05, activation: str = "tanh", width: int = 256, n: int = 512, seed: int = 0
):
    """The initialization explorer's figure: std of each hidden layer's output for an MLP of
    ``depth`` layers of ``width`` units whose weights are drawn from N(0, ``weight_std``²) (biases 0),
    fed a standard-normal batch of ``n`` rows. The Xavier and He standard deviations for this
    width are drawn as a reference: there the signal neither dies nor explodes.

    Parameters
    ----------
    depth : int, default 10
        Number of hidden layers.
    weight_std : float, default 0.05
        Standard deviation of the weights.
    activation : str, default "tanh"
        A name from :func:`dlcourse.activations.activation_names`.
    width : int, default 256
        Units per hidden layer (and input size).
    n : int, default 512
        Rows of the input batch.
    seed : int, default 0
        Seed of the weights (the batch uses ``seed + 1``).

    Returns
    -------
    matplotlib.figure.Figure
        A new figure.
    """
    from .. import init as I
    from ..models import make_mlp
    from ..runtime import make_generator

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
    ax.set_title(f"width {width}: Xavier std {math.sqrt(1 / width):.3f}, He std {math.sqrt(2 / width):.3f}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def init_explorer():
    """Choose depth, weight std and activation; see the activation std of every layer.

    Returns
    -------
    ipywidgets.interactive
        The controls and the figure; display it in a notebook.
    """
    import ipywidgets as widgets

    return interactive_plot(
        init_figure,
        depth=widgets.IntSlider(value=10, min=1, max=30, description="depth"),
        weight_std=widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=0.5, step=0.05, description="weight std"),
        activation=widgets.Dropdown(options=A.activation_names(), value="tanh", description="activation"),
    )
