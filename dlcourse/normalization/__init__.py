r"""Normalisation of inputs and activations.

Inputs: :class:`Standardizer` (per-feature mean and standard deviation) and
:class:`PCAWhitener` (decorrelate, then scale to unit variance). The data loaders use
:class:`Standardizer` from the first chapter on, because the rule it enforces matters
everywhere: statistics are fitted on the *training* split only, then applied unchanged to
validation and test data, so that no information about them leaks into training.

Why it matters for optimisation: :func:`quadratic_form`, :func:`condition_number`,
:func:`gradient_descent` and :func:`steps_to_converge` measure how badly scaled features
stretch the loss bowl of a linear model and slow gradient descent down.

Activations: :class:`BatchNorm1d`, :class:`BatchNorm2d` (functional form :func:`batch_norm`),
:class:`GhostBatchNorm1d` (statistics of smaller chunks of each batch)
and :class:`LayerNorm` (:func:`layer_norm`), written from the algorithm and tested against
``torch.nn``'s modules; their parameters and buffers carry PyTorch's names.

The package, one module per concept (import everything from ``dlcourse.normalization``):

* ``preprocessing``: :class:`Standardizer`, :class:`PCAWhitener`;
* ``conditioning``: the loss bowl and gradient descent on it;
* ``batchnorm_functional``: batch normalization as a function, with its closed-form backward pass;
* ``batchnorm_modules``: the batch normalization layers;
* ``layernorm``: layer normalization.
"""

from __future__ import annotations

from .batchnorm_functional import (
    _BatchNormTrain,  # noqa: F401 - not in __all__ (private); chapter 3 prints its source
    batch_norm,
    batch_statistics,
)
from .batchnorm_modules import BatchNorm1d, BatchNorm2d, BatchNormBase, GhostBatchNorm1d
from .conditioning import (
    condition_number,
    gradient_descent,
    quadratic_form,
    steps_to_converge,
)
from .layernorm import LayerNorm, layer_norm
from .preprocessing import PCAWhitener, Standardizer

__all__ = [
    "Standardizer",
    "PCAWhitener",
    "quadratic_form",
    "condition_number",
    "gradient_descent",
    "steps_to_converge",
    "batch_statistics",
    "batch_norm",
    "BatchNormBase",
    "BatchNorm1d",
    "GhostBatchNorm1d",
    "BatchNorm2d",
    "layer_norm",
    "LayerNorm",
]
