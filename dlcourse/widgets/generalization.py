"""Explorers of what makes a model generalise: L2 and dropout on the moons (chapter 5), and data
augmentation on photographs (chapter 6)."""

from __future__ import annotations

import functools

import torch

from .. import augment as aug
from .._checks import check_choice
from ..runtime import make_generator
from .base import interactive_plot

__all__ = [
    "regularization_figure",
    "regularization_explorer",
    "AUGMENTATIONS",
    "augmentation_figure",
    "augmentation_explorer",
]


def regularization_figure(l2: float = 0.0, dropout: float = 0.0, ax=None):
    """The explorer's figure: decision boundary of :func:`dlcourse.regularization.moons_experiment` over its training points,
    with train and validation accuracy in the title.

    Parameters
    ----------
    l2 : float, default 0.0
        L2 strength α; must be >= 0.
    dropout : float, default 0.0
        Drop probability, in [0, 1).
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    from ..plotting import plot_decision_boundary
    from ..regularization import moons_experiment

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
    """Pick the L2 strength and the dropout rate; see the decision boundary on the moons.

    Returns
    -------
    ipywidgets.interactive
        The controls and the figure; display it in a notebook.
    """
    import ipywidgets as widgets

    return interactive_plot(
        regularization_figure,
        l2=widgets.SelectionSlider(
            options=[0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3], value=0.0, description="L2 α"
        ),
        dropout=widgets.FloatSlider(value=0.0, min=0.0, max=0.8, step=0.1, description="dropout p"),
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
    with ``seed``.

    Parameters
    ----------
    transform : str, default "rotation (× 90°)"
        A key of ``AUGMENTATIONS``.
    strength : float, default 0.3
        The transform's strength, in [0, 1].
    images : torch.Tensor, optional
        A batch ``(n, C, H, W)``, each image min-max scaled for display; ``None``: the photographs, shown
        on the fixed [0, 1] scale.
    views : int, default 5
        Augmented copies per image.
    seed : int, default 0
        Seed of the random transforms.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure.

    Raises
    ------
    ValueError
        If ``transform`` is not a key of ``AUGMENTATIONS``.
    """
    from ..plotting import image_grid

    check_choice(transform, "transform", AUGMENTATIONS)
    photos = images is None
    images = _default_photos() if photos else images
    function = AUGMENTATIONS[transform][0]
    generator = make_generator(seed)
    copies = [function(images, float(strength), generator) for _ in range(views)]
    grid = torch.stack([images, *copies], dim=1).flatten(0, 1)
    titles = (["original"] + [f"view {i + 1}" for i in range(views)]) * len(images)
    fig = image_grid(grid, titles=titles, ncols=views + 1, size=0.9, value_range=(0, 1) if photos else None)
    fig.suptitle(f"{transform}, strength {strength:g}", fontsize=9, y=1.02, va="bottom")
    return fig


@functools.lru_cache(maxsize=1)
def _default_photos() -> torch.Tensor:
    """The photographs at 64 pixels, loaded once per session (the explorer redraws often)."""
    from ..data import load_photos

    return load_photos(64)


def augmentation_explorer():
    """Pick a transform and its strength; see augmented views of the photographs.

    Returns
    -------
    ipywidgets.interactive
        The controls and the figure; display it in a notebook.
    """
    import ipywidgets as widgets

    return interactive_plot(
        augmentation_figure,
        transform=widgets.Dropdown(options=list(AUGMENTATIONS), value="rotation (× 90°)", description="transform"),
        strength=widgets.FloatSlider(value=0.3, min=0.0, max=1.0, step=0.05, description="strength"),
    )
