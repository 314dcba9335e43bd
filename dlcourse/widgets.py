"""Interactive explorers: a thin ipywidgets layer over pure plotting functions.

The rule: the plotting function (tested, importable, used for the static figure in the
book) does all the work; the explorer only maps widget values to its arguments. In the
rendered book, where no kernel runs, the chapter shows the static figure for the default
values next to the explorer.
"""

from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt
import torch

from . import activations as A
from . import normalization as N
from ._checks import check_positive
from .plotting import plot_activation, plot_quadratic_path


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


# --------------------------------------------------------------------------- chapter 3: feature scale
def feature_scale_problem(scale_ratio: float):
    r"""The quadratic loss of a 2-feature linear regression whose second feature is
    ``scale_ratio`` times larger than the first (both centred, no intercept):
    :math:`H = \operatorname{diag}(1, r^2)`, optimum :math:`w^\star = (1, 1/r)`, start
    :math:`w_0 = (-1.5, 1.5/r + 1)`. Returns ``(H, b, w0)`` in float64."""
    r = check_positive(scale_ratio, "scale_ratio")
    H = torch.diag(torch.tensor([1.0, r * r], dtype=torch.float64))
    w_star = torch.tensor([1.0, 1.0 / r], dtype=torch.float64)
    w0 = torch.tensor([-1.5, 1.5 / r + 1.0], dtype=torch.float64)
    return H, H @ w_star, w0


def feature_scale_figure(scale_ratio: float = 10.0, lr_factor: float = 1.8, steps: int = 40):
    """The explorer's figure: gradient descent with step ``lr_factor / λ_max`` on the loss bowl of
    :func:`feature_scale_problem` (left: second feature ``scale_ratio`` times larger; right: both
    standardised), with the condition number and the steps needed to reach 0.1 % of the start's
    excess loss (:func:`dlcourse.normalization.steps_to_converge`) in the titles."""
    lr_factor = check_positive(lr_factor, "lr_factor")
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    for ax, ratio, label in [(axes[0], scale_ratio, f"raw: scale ratio {scale_ratio:g}"),
                             (axes[1], 1.0, "standardised")]:
        H, b, w0 = feature_scale_problem(ratio)
        lam_max = float(torch.linalg.eigvalsh(H)[-1])
        path = N.gradient_descent(H, b, w0, lr=lr_factor / lam_max, steps=steps)
        n = N.steps_to_converge(H, b, w0, lr=lr_factor / lam_max, tol=1e-3, max_steps=10**7)
        kappa = float(H[1, 1] / H[0, 0]) if ratio >= 1 else float(H[0, 0] / H[1, 1])
        verdict = "diverges" if n is None else f"{n} steps to converge"
        plot_quadratic_path(H, b, path, ax=ax, title=f"{label}\nκ = {kappa:.3g}, η = {lr_factor:g}/λmax: {verdict}")
    axes[0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def feature_scale_explorer():
    """Scale one feature up and watch gradient descent zig-zag down an elongated bowl."""
    import ipywidgets as widgets

    return interactive_plot(
        feature_scale_figure,
        scale_ratio=widgets.FloatLogSlider(value=10.0, base=10, min=0, max=1.5, step=0.05, description="scale ratio"),
        lr_factor=widgets.FloatSlider(value=1.8, min=0.1, max=2.1, step=0.05, description="η × λmax"),
    )
