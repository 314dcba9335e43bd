"""Interactive explorers: a thin ipywidgets layer over pure plotting functions.

The rule: the plotting function (tested, importable, used for the static figure in the
book) does all the work; the explorer only maps widget values to its arguments. In the
rendered book, where no kernel runs, the chapter shows the static figure for the default
values next to the explorer.

The package: ``base`` (:func:`interactive_plot`), ``networks`` (activations and initialization,
chapters 1-2), ``optimization`` (gradient descent, feature scale and the optimizers' paths, chapters
0, 3 and 4), ``generalization`` (regularization and augmentation, chapters 5-6), ``tuning``
(Hyperband, chapter 8). Import everything from ``dlcourse.widgets``.
"""

from __future__ import annotations

from .base import interactive_plot
from .generalization import (
    AUGMENTATIONS,
    augmentation_explorer,
    augmentation_figure,
    regularization_explorer,
    regularization_figure,
)
from .networks import activation_explorer, activation_figure, init_explorer, init_figure
from .optimization import (
    GD_BATCH_SIZES,
    feature_scale_explorer,
    feature_scale_figure,
    feature_scale_problem,
    gradient_descent_explorer,
    gradient_descent_figure,
    optimizer_explorer,
    optimizer_trajectory_figure,
)
from .tuning import hyperband_explorer, hyperband_figure

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
