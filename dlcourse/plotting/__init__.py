"""Plotting helpers shared by the chapters. Every function draws on a given ``ax`` (or a new
one) and returns the figure, so it can be unit-tested and reused by the widgets.

Exceptions: :func:`subplots_grid` returns ``(fig, axes)``, :func:`image_grid` always makes a new figure,
and :func:`plot_history` and :func:`plot_layer_histograms` take several axes (``axes``).

The package: ``base`` (the class colours, axes grids, image grids), ``networks`` (an activation, a training
history, per-layer histograms), ``classifiers`` (decision regions, the confusion matrix), ``landscapes`` (loss
contours with optimizer paths), ``course_map`` (chapter 0's map of the training loop)."""

from __future__ import annotations

from .base import CLASS_COLORS, image_grid, subplots_grid
from .classifiers import plot_confusion_matrix, plot_decision_boundary
from .course_map import STRATEGY_CHOICES, STRATEGY_STEPS, plot_training_loop
from .landscapes import plot_quadratic_path, plot_trajectories
from .networks import plot_activation, plot_history, plot_layer_histograms

__all__ = [
    "CLASS_COLORS",
    "subplots_grid",
    "plot_activation",
    "plot_decision_boundary",
    "plot_history",
    "plot_layer_histograms",
    "image_grid",
    "plot_quadratic_path",
    "plot_trajectories",
    "STRATEGY_CHOICES",
    "STRATEGY_STEPS",
    "plot_training_loop",
    "plot_confusion_matrix",
]
