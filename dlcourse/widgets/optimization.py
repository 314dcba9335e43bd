"""Explorers of gradient descent's paths: the learning rate and batch size of mini-batch gradient descent
(chapter 0), badly scaled features (chapter 3) and the optimizers on test surfaces (chapter 4)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from .. import normalization as N
from .._checks import check_positive
from ..plotting import plot_quadratic_path
from .base import interactive_plot

__all__ = [
    "feature_scale_problem",
    "feature_scale_figure",
    "feature_scale_explorer",
    "optimizer_trajectory_figure",
    "optimizer_explorer",
    "GD_BATCH_SIZES",
    "gradient_descent_figure",
    "gradient_descent_explorer",
]


def feature_scale_problem(scale_ratio: float):
    r"""The quadratic loss of a 2-feature linear regression whose second feature is
    ``scale_ratio`` times larger than the first (both centred, no intercept):
    :math:`H = \operatorname{diag}(1, r^2)`, optimum :math:`w^\star = (1, 1/r)`, start
    :math:`w_0 = (-1.5, 1.5/r + 1)`. Returns ``(H, b, w0)`` in float64.

    Parameters
    ----------
    scale_ratio : float
        :math:`r`; must be > 0.

    Returns
    -------
    H : torch.Tensor
        The Hessian, shape ``(2, 2)``.
    b : torch.Tensor
        :math:`H w^\star`, shape ``(2,)``.
    w0 : torch.Tensor
        The start, shape ``(2,)``.
    """
    r = check_positive(scale_ratio, "scale_ratio")
    H = torch.diag(torch.tensor([1.0, r * r], dtype=torch.float64))
    w_star = torch.tensor([1.0, 1.0 / r], dtype=torch.float64)
    w0 = torch.tensor([-1.5, 1.5 / r + 1.0], dtype=torch.float64)
    return H, H @ w_star, w0


def feature_scale_figure(scale_ratio: float = 10.0, lr_factor: float = 1.8, steps: int = 40):
    """The explorer's figure: gradient descent with step ``lr_factor / λ_max`` on the loss bowl of
    :func:`feature_scale_problem` (left: second feature ``scale_ratio`` times larger; right: both
    standardised), with the condition number and the steps needed to reach 0.1 % of the start's
    excess loss (:func:`dlcourse.normalization.steps_to_converge`) in the titles.

    Parameters
    ----------
    scale_ratio : float, default 10.0
        Scale of the second feature relative to the first; must be > 0.
    lr_factor : float, default 1.8
        The step size times ``λ_max``; must be > 0 (gradient descent diverges from 2 on).
    steps : int, default 40
        Steps drawn; must be >= 1.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure.
    """
    lr_factor = check_positive(lr_factor, "lr_factor")
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    for ax, ratio, label in [
        (axes[0], scale_ratio, f"raw: scale ratio {scale_ratio:g}"),
        (axes[1], 1.0, "standardised"),
    ]:
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
    """Scale one feature up and watch gradient descent zig-zag down an elongated bowl.

    Returns
    -------
    ipywidgets.interactive
        The controls and the figure; display it in a notebook.
    """
    import ipywidgets as widgets

    return interactive_plot(
        feature_scale_figure,
        scale_ratio=widgets.FloatLogSlider(value=10.0, base=10, min=0, max=1.5, step=0.05, description="scale ratio"),
        lr_factor=widgets.FloatSlider(value=1.8, min=0.1, max=2.1, step=0.05, description="η × λmax"),
    )


def optimizer_trajectory_figure(
    surface: str = "rosenbrock", optimizer: str = "adam", lr: float = 0.1, beta: float = 0.9, steps: int = 200
):
    """The optimizer explorer's figure: the path of ``optimizer`` (a name of
    :data:`dlcourse.surfaces.SURFACE_OPTIMIZERS`) with ``lr`` and ``beta`` on ``surface``.

    Parameters
    ----------
    surface : str, default "rosenbrock"
        A name of :data:`dlcourse.surfaces.SURFACES`.
    optimizer : str, default "adam"
        A name of :data:`dlcourse.surfaces.SURFACE_OPTIMIZERS`.
    lr : float, default 0.1
        Learning rate.
    beta : float, default 0.9
        Momentum, RMSprop's ``alpha`` or Adam's ``betas[0]`` (see :func:`dlcourse.surfaces.surface_optimizer`).
    steps : int, default 200
        Number of steps (fewer if the run diverges).

    Returns
    -------
    matplotlib.figure.Figure
        A new figure.
    """
    from .. import surfaces as S
    from ..plotting import plot_trajectories

    path = S.trajectory(surface, S.surface_optimizer(optimizer, lr, beta), steps)
    return plot_trajectories(
        surface,
        {f"{optimizer} (lr={lr:g}, β={beta:g})": path},
        title=f"{surface}: {optimizer}, {len(path.points) - 1} steps, final f = {path.values[-1]:.4g}",
    )


def optimizer_explorer():
    """Pick a surface, an optimizer, its learning rate and β; see the path it takes.

    Returns
    -------
    ipywidgets.interactive
        The controls and the figure; display it in a notebook.
    """
    import ipywidgets as widgets

    from .. import surfaces as S

    return interactive_plot(
        optimizer_trajectory_figure,
        surface=widgets.Dropdown(options=list(S.SURFACES), value="rosenbrock", description="surface"),
        optimizer=widgets.Dropdown(options=list(S.SURFACE_OPTIMIZERS), value="adam", description="optimizer"),
        lr=widgets.FloatLogSlider(value=0.1, base=10, min=-4, max=0, step=0.25, description="lr"),
        beta=widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="β"),
        steps=widgets.IntSlider(value=200, min=10, max=1000, step=10, description="steps"),
    )


#: Batch sizes offered by :func:`gradient_descent_explorer`; ``0`` stands for the full training set.
GD_BATCH_SIZES = (1, 8, 32, 128, 0)


def gradient_descent_figure(lr: float = 0.1, batch_size: int = 32, epochs: int = 10, seed: int = 0):
    """The explorer's figure: the training loss of logistic regression on breast cancer, trained by
    :func:`dlcourse.autodiff.minibatch_gd` with learning rate ``lr`` and ``batch_size`` (``0`` = the
    whole training set), against epochs, beside full-batch gradient descent at the same ``lr``.

    Parameters
    ----------
    lr : float, default 0.1
        Learning rate; must be > 0.
    batch_size : int, default 32
        Examples per step; ``0`` (or ``None``) for the whole training set.
    epochs : int, default 10
        Number of epochs.
    seed : int, default 0
        Seed of the data split and of the shuffling.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure.
    """
    from ..autodiff import minibatch_gd
    from ..data import load_breast_cancer

    X, y = load_breast_cancer(seed=seed).train
    size = len(X) if batch_size in (0, None) else batch_size
    run = minibatch_gd(X, y, batch_size=size, lr=lr, epochs=epochs, seed=seed)
    full = minibatch_gd(X, y, batch_size=len(X), lr=lr, epochs=epochs, seed=seed)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(run.epoch, run.loss, lw=1, label=f"batch size {run.batch_size} ({run.steps_per_epoch} steps/epoch)")
    ax.plot(full.epoch, full.loss, "k--", lw=1.5, label=f"full batch ({len(X)})")
    ax.set(
        xlabel="epoch",
        ylabel="training loss (log scale)",
        yscale="log",
        title=f"logistic regression, breast cancer, lr = {lr:g}",
    )
    ax.legend(fontsize=8)
    return fig


def gradient_descent_explorer():
    """Pick a learning rate and a batch size; see the training-loss curve.

    Returns
    -------
    ipywidgets.interactive
        The controls and the figure; display it in a notebook.
    """
    import ipywidgets as widgets

    return interactive_plot(
        gradient_descent_figure,
        lr=widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=1, step=0.25, description="learning rate"),
        batch_size=widgets.SelectionSlider(
            options=[(str(b) if b else "full", b) for b in GD_BATCH_SIZES], value=32, description="batch size"
        ),
    )
