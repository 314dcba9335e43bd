"""Interactive explorers: a thin ipywidgets layer over pure plotting functions.

The rule: the plotting function (tested, importable, used for the static figure in the
book) does all the work; the explorer only maps widget values to its arguments. In the
rendered book, where no kernel runs, the chapter shows the static figure for the default
values next to the explorer.
"""

from __future__ import annotations

import functools
import math
from typing import Callable

import matplotlib.pyplot as plt
import torch

from . import activations as A
from . import augment as aug
from . import normalization as N
from ._checks import check_choice, check_positive
from .plotting import plot_activation, plot_quadratic_path
from .runtime import make_generator

__all__ = [
    "interactive_plot",
    "activation_figure",
    "activation_explorer",
    "init_figure",
    "init_explorer",
    "regularization_figure",
    "regularization_explorer",
    "feature_scale_problem",
    "feature_scale_figure",
    "feature_scale_explorer",
    "optimizer_trajectory_figure",
    "optimizer_explorer",
    "GD_BATCH_SIZES",
    "gradient_descent_figure",
    "gradient_descent_explorer",
    "hyperband_figure",
    "hyperband_explorer",
    "AUGMENTATIONS",
    "augmentation_figure",
    "augmentation_explorer",
]


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
def init_figure(
    depth: int = 10, weight_std: float = 0.05, activation: str = "tanh", width: int = 256, n: int = 512, seed: int = 0
):
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
    ax.set_title(f"width {width}: Xavier std {math.sqrt(1 / width):.3f}, He std {math.sqrt(2 / width):.3f}", fontsize=9)
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
    return plot_decision_boundary(
        run["model"],
        splits.X_train,
        splits.y_train,
        ax=ax,
        resolution=120,
        title=f"L2 α={l2:g}, dropout p={dropout:g}\ntrain acc {run['train_acc']:.2f}, val acc {run['val_acc']:.2f}",
    )


def regularization_explorer():
    """Pick the L2 strength and the dropout rate; see the decision boundary on the moons."""
    import ipywidgets as widgets

    return interactive_plot(
        regularization_figure,
        l2=widgets.SelectionSlider(
            options=[0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3], value=0.0, description="L2 α"
        ),
        dropout=widgets.FloatSlider(value=0.0, min=0.0, max=0.8, step=0.1, description="dropout p"),
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
    """Scale one feature up and watch gradient descent zig-zag down an elongated bowl."""
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
    :data:`dlcourse.surfaces.SURFACE_OPTIMIZERS`) with ``lr`` and ``beta`` on ``surface``."""
    from . import surfaces as S
    from .plotting import plot_trajectories

    path = S.trajectory(surface, S.surface_optimizer(optimizer, lr, beta), steps)
    return plot_trajectories(
        surface,
        {f"{optimizer} (lr={lr:g}, β={beta:g})": path},
        title=f"{surface}: {optimizer}, {len(path.points) - 1} steps, final f = {path.values[-1]:.4g}",
    )


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
    ax.set(
        xlabel="epoch",
        ylabel="training loss (log scale)",
        yscale="log",
        title=f"logistic regression, breast cancer, lr = {lr:g}",
    )
    ax.legend(fontsize=8)
    return fig


def gradient_descent_explorer():
    """Pick a learning rate and a batch size; see the training-loss curve."""
    import ipywidgets as widgets

    return interactive_plot(
        gradient_descent_figure,
        lr=widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=1, step=0.25, description="learning rate"),
        batch_size=widgets.SelectionSlider(
            options=[(str(b) if b else "full", b) for b in GD_BATCH_SIZES], value=32, description="batch size"
        ),
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
    """Choose the maximum budget R and the reduction factor η; see Hyperband's brackets."""
    import ipywidgets as widgets

    return interactive_plot(
        hyperband_figure,
        max_budget=widgets.IntSlider(value=81, min=2, max=243, description="R"),
        eta=widgets.IntSlider(value=3, min=2, max=6, description="η"),
    )


#: Transforms of the augmentation explorer by name, each a random function of (x, strength, generator) and a default strength.
#: :meta hide-value:
AUGMENTATIONS = {
    "horizontal flip": (lambda x, s, g: aug.random_flip(x, s, generator=g), 0.5),
    "vertical flip": (lambda x, s, g: aug.random_flip(x, s, direction="vertical", generator=g), 0.5),
    "crop (padding, % of side)": (lambda x, s, g: aug.random_crop(x, round(s * x.shape[-1]), generator=g), 0.15),
    "colour jitter": (lambda x, s, g: aug.color_jitter(x, s, s, s, value_range=(0, 1), generator=g), 0.5),
    "rotation (× 90°)": (lambda x, s, g: aug.random_affine(x, degrees=90 * s, generator=g), 0.3),
    "translation": (lambda x, s, g: aug.random_affine(x, translate=(s, s), generator=g), 0.2),
    "scale": (lambda x, s, g: aug.random_affine(x, scale=(1 - s * 0.9, 1 + s), generator=g), 0.3),
    "shear (× 90°)": (lambda x, s, g: aug.random_affine(x, shear=90 * s * 0.9, generator=g), 0.3),
    "cutout (% of side)": (lambda x, s, g: aug.random_cutout(x, max(1, round(s * x.shape[-1])), generator=g), 0.4),
}


def augmentation_figure(
    transform: str = "rotation (× 90°)", strength: float = 0.3, images=None, views: int = 5, seed: int = 0
):
    """The explorer's figure: each of ``images`` (default: the scikit-image photographs at 64 pixels)
    (shown on a fixed [0, 1] scale) in its first column, then ``views`` augmented copies drawn with ``transform`` at ``strength``
    (a probability for the flips, else a fraction of the transform's range) from a generator seeded
    with ``seed``."""
    from .plotting import image_grid

    check_choice(transform, "transform", AUGMENTATIONS)
    photos = images is None
    images = _default_photos() if photos else images
    function = AUGMENTATIONS[transform][0]
    generator = make_generator(seed)
    copies = [function(images, float(strength), generator) for _ in range(views)]
    grid = torch.stack([images, *copies], dim=1).flatten(0, 1)
    titles = (["original"] + [f"view {i + 1}" for i in range(views)]) * len(images)
    fig = image_grid(grid, titles=titles, ncols=views + 1, size=1.3, value_range=(0, 1) if photos else None)
    fig.suptitle(f"{transform}, strength {strength:g}", fontsize=9)
    return fig


@functools.lru_cache(maxsize=1)
def _default_photos() -> torch.Tensor:
    """The photographs at 64 pixels, loaded once per session (the explorer redraws often)."""
    from .data import load_photos

    return load_photos(64)


def augmentation_explorer():
    """Pick a transform and its strength; see augmented views of the photographs."""
    import ipywidgets as widgets

    return interactive_plot(
        augmentation_figure,
        transform=widgets.Dropdown(options=list(AUGMENTATIONS), value="rotation (× 90°)", description="transform"),
        strength=widgets.FloatSlider(value=0.3, min=0.0, max=1.0, step=0.05, description="strength"),
    )
