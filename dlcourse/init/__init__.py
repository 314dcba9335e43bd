r"""Weight initialization: the first tool against unstable signals (gradient clipping, the other one,
is in :mod:`dlcourse.clipping`).

A layer computes :math:`z = W x + b`. With independent, zero-mean weights of variance
:math:`\sigma^2` and inputs of variance :math:`v`, each output has variance
:math:`\text{fan}_\text{in}\,\sigma^2 v`: the forward signal keeps its scale only if
:math:`\sigma^2 = 1/\text{fan}_\text{in}` (times a gain that undoes what the activation
removes). Back-propagation multiplies by :math:`W^\top`, so the backward signal needs
:math:`\sigma^2 = 1/\text{fan}_\text{out}`. The classic schemes follow from this:

===========  ==============================================  =============================
scheme       variance :math:`\sigma^2`                        activations
===========  ==============================================  =============================
Glorot       :math:`1/\text{fan}_\text{avg}`                  none, tanh, sigmoid, softmax
He           :math:`2/\text{fan}_\text{in}`                   ReLU and its variants
LeCun        :math:`1/\text{fan}_\text{in}`                   SELU
===========  ==============================================  =============================

with :math:`\text{fan}_\text{avg} = (\text{fan}_\text{in} + \text{fan}_\text{out})/2`. A uniform
distribution :math:`\mathcal U(-r, r)` has variance :math:`r^2/3`, so the uniform variant of each
scheme uses :math:`r = \sqrt{3\sigma^2}`; for Glorot, :math:`r = \sqrt{6/(\text{fan}_\text{in} +
\text{fan}_\text{out})}` (the square root covers the whole fraction).

Every initializer works in place on a weight tensor, takes an optional seeded
``torch.Generator`` and draws exactly what its ``torch.nn.init`` counterpart draws from the same
generator state.

The package: ``fans`` (fans and gains), ``distributions`` (the plain initializers: constants,
normal, uniform, truncated normal, orthogonal), ``schemes`` (Glorot, He, LeCun and torch's
kaiming names), ``model`` (:func:`init_model`, :func:`recommended_init`, :func:`layer_stds`).

Examples
--------
>>> import torch
>>> w = torch.empty(300, 100)            # an nn.Linear(100, 300) weight: (fan_out, fan_in)
>>> compute_fans(w)
(100, 300)
>>> round(xavier_uniform_(w, generator=torch.Generator().manual_seed(0)).abs().max().item(), 4) <= 0.1225
True
>>> recommended_init("relu")
'he_normal'
"""

from __future__ import annotations

from ..clipping import add_gradient_clipping, clip_grad_norm_, clip_grad_value_  # noqa: F401 - the names notebooks and labs call
from .distributions import constant_, normal_, ones_, orthogonal_, trunc_normal_, uniform_, zeros_
from .fans import calculate_gain, compute_fans, fan_avg, fan_in, fan_out, receptive_field_size
from .model import INITIALIZERS, WEIGHT_LAYERS, init_model, layer_stds, recommended_init
from .schemes import (
    he_normal_,
    he_uniform_,
    kaiming_normal_,
    kaiming_uniform_,
    lecun_normal_,
    lecun_uniform_,
    xavier_normal_,
    xavier_uniform_,
)

__all__ = [
    "WEIGHT_LAYERS",
    "receptive_field_size",
    "compute_fans",
    "fan_in",
    "fan_out",
    "fan_avg",
    "constant_",
    "zeros_",
    "ones_",
    "normal_",
    "uniform_",
    "trunc_normal_",
    "orthogonal_",
    "calculate_gain",
    "xavier_uniform_",
    "xavier_normal_",
    "he_uniform_",
    "he_normal_",
    "lecun_uniform_",
    "lecun_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "INITIALIZERS",
    "recommended_init",
    "init_model",
    "layer_stds",
]
