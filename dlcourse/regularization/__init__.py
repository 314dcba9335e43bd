r"""Regularization: weight penalties, dropout, early stopping, label smoothing, noise, weight averaging, pruning.

Conventions, stated once because the sources disagree:

- **Penalty strength** :math:`\alpha` is any non-negative number (not bounded to [0, 1]); its useful
  range depends on the scale of the loss. The L2 penalty is :math:`\frac{\alpha}{2}\sum w^2`, so that its
  gradient :math:`\alpha w` is exactly what ``torch.optim.SGD(weight_decay=alpha)`` adds.
- **Dropout** ``p`` is the probability of *dropping* a unit (PyTorch's convention); the keep probability
  is :math:`1 - p`. On average a fraction :math:`p` of the units is zeroed.

The package, one module per concept (import everything from ``dlcourse.regularization``):

* ``penalties``: L1, L2, elastic net, the proximal step;
* ``noise``: dropout, Gaussian noise, label smoothing;
* ``callbacks``: early stopping, weight averaging;
* ``pruning``: magnitude pruning;
* ``models``: bagging's resamples, tied weights;
* ``experiment``: the two-moons experiment of the chapter and Lab 05.

Examples
--------
>>> import torch
>>> from torch import nn
>>> from dlcourse import regularization as R
>>> layer = nn.Linear(2, 1)
>>> with torch.no_grad():
...     _ = layer.weight.copy_(torch.tensor([[3.0, -4.0]]))
>>> R.l1_penalty(layer, alpha=0.1)          # 0.1 * (3 + 4); the bias is excluded
tensor(0.7000, grad_fn=<MulBackward0>)
>>> R.l2_penalty(layer, alpha=0.1)          # 0.1 / 2 * (9 + 16)
tensor(1.2500, grad_fn=<MulBackward0>)
>>> drop = R.Dropout(0.5).eval()
>>> drop(torch.ones(3))                     # identity in evaluation mode
tensor([1., 1., 1.])
"""

from __future__ import annotations

from .callbacks import EarlyStopping, WeightAverage
from .experiment import moons_experiment
from .models import TiedAutoencoder, bootstrap_indices
from .noise import (
    Dropout,
    GaussianNoise,
    TestTimeScaledDropout,
    dropout,
    dropout_mask,
    label_smoothing_cross_entropy,
    label_smoothing_loss,
    smooth_labels,
)
from .penalties import (
    NORM_TYPES,
    elastic_net_penalty,
    l1_least_squares,
    l1_penalty,
    l1_penalty_grad,
    l1_proximal_step,
    l2_penalty,
    l2_penalty_grad,
    regularized_loss,
    soft_threshold,
    weight_parameters,
)
from .pruning import apply_masks, magnitude_masks, prune_by_magnitude, sparsity

__all__ = [
    "NORM_TYPES",
    "weight_parameters",
    "l1_penalty",
    "l2_penalty",
    "elastic_net_penalty",
    "l1_penalty_grad",
    "l2_penalty_grad",
    "soft_threshold",
    "l1_proximal_step",
    "l1_least_squares",
    "regularized_loss",
    "dropout_mask",
    "dropout",
    "Dropout",
    "TestTimeScaledDropout",
    "GaussianNoise",
    "smooth_labels",
    "label_smoothing_cross_entropy",
    "label_smoothing_loss",
    "EarlyStopping",
    "WeightAverage",
    "magnitude_masks",
    "prune_by_magnitude",
    "apply_masks",
    "sparsity",
    "bootstrap_indices",
    "TiedAutoencoder",
    "moons_experiment",
]
