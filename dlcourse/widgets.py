"""Interactive explorers: a thin ipywidgets layer over pure plotting functions.

The rule: the plotting function (tested, importable, used for the static figure in the
book) does all the work; the explorer only maps widget values to its arguments. In the
rendered book, where no kernel runs, the chapter shows the static figure for the default
values next to the explorer.
"""

from __future__ import annotations

import functools
from typing import Callable

import matplotlib.pyplot as plt
import torch

from . import activations as A
from . import augment as aug
from ._checks import check_choice
from .runtime import make_generator
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


#: Transforms of the augmentation explorer by name, each a random function of (x, strength, generator) and a default strength.
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


def augmentation_figure(transform: str = "rotation (× 90°)", strength: float = 0.3, images=None,
                        views: int = 5, seed: int = 0):
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
