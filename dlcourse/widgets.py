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


def optimizer_trajectory_figure(surface: str = "rosenbrock", optimizer: str = "adam", lr: float = 0.1,
                                beta: float = 0.9, steps: int = 200):
    """The optimizer explorer's figure: the path of ``optimizer`` (a name of
    :data:`dlcourse.surfaces.SURFACE_OPTIMIZERS`) with ``lr`` and ``beta`` on ``surface``."""
    from . import surfaces as S
    from .plotting import plot_trajectories

    path = S.trajectory(surface, S.surface_optimizer(optimizer, lr, beta), steps)
    return plot_trajectories(surface, {f"{optimizer} (lr={lr:g}, β={beta:g})": path},
                             title=f"{surface}: {optimizer}, {len(path.points) - 1} steps, "
                                   f"final f = {path.values[-1]:.4g}")


def optimizer_explorer():
    """Pick a surface, an optimizer, its learning rate and β; see the path it takes."""
    import ipywidgets as widgets

    from . import surfaces as S

    return interactive_plot(
        optimizer_trajectory_figure,
        surface=widgets.Dropdown(options=list(S.SURFACES), value="rosenbrock", description="surface"),
        optimizer=widgets.Dropdown(options=list(S.SURFACE_OPTIMIZERS), value="adam", description="optimizer"),
        lr=widgets.FloatLogSlider(value=0.1, base=10, min=-4, max=0, step=0.25, description="lr"),
        beta=widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="β"),
        steps=widgets.IntSlider(value=200, min=10, max=1000, step=10, description="steps"),
    )
