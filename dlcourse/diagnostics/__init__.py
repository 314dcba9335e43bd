"""Looking inside a network: per-layer activations and gradients, dead units.

The first part (:func:`record_layers`, :func:`dead_units`) lets every chapter *see* what
training does to each layer. The second part, from chapter 7 (methodology), is the list of
sanity checks to run before tuning: the initial loss, regularization raising the loss,
overfitting a tiny subset, the gradient check, NaN hunting, layer statistics,
update-to-weight ratios, dead units and the worst examples for error analysis.

The package: ``layers`` (recording each layer, its statistics, dead and distinct units), ``checks`` (the sanity
checks and their :class:`CheckResult`), ``nan`` (NaN hunting), ``errors`` (error analysis: the worst examples and
the gaps between levels of performance). Import everything from ``dlcourse.diagnostics``: this page documents it all.
"""

from __future__ import annotations

from .checks import (
    CheckResult,
    check_dead_units,
    check_initial_loss,
    check_overfit_tiny,
    check_regularization_raises_loss,
    check_update_ratios,
    expected_initial_loss,
    gradient_check,
    update_to_weight_ratios,
)
from .errors import REMEDIES, performance_gaps, worst_examples
from .layers import ACTIVATION_TYPES, LayerRecord, LayerStats, dead_units, distinct_units, layer_stats, record_layers
from .nan import NanReport, find_nan

__all__ = [
    "ACTIVATION_TYPES",
    "LayerRecord",
    "record_layers",
    "dead_units",
    "distinct_units",
    "CheckResult",
    "expected_initial_loss",
    "check_initial_loss",
    "check_regularization_raises_loss",
    "check_overfit_tiny",
    "gradient_check",
    "NanReport",
    "find_nan",
    "LayerStats",
    "layer_stats",
    "update_to_weight_ratios",
    "check_update_ratios",
    "check_dead_units",
    "worst_examples",
    "REMEDIES",
    "performance_gaps",
]
