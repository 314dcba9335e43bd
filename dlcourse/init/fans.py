r"""Fans and gains: the two numbers every scaled initialization is built from, :math:`\sigma = \text{gain} /
\sqrt{\text{fan}}` (the fans of a Linear or Conv weight, and the gain that undoes what a nonlinearity removes)."""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from .._checks import check_choice, check_tensor

__all__ = ["receptive_field_size", "compute_fans", "fan_in", "fan_out", "fan_avg", "calculate_gain"]

_MODES = ("fan_in", "fan_out", "fan_avg")


def _weight(tensor) -> torch.Tensor:
    if isinstance(tensor, nn.Module) and isinstance(getattr(tensor, "weight", None), torch.Tensor):
        tensor = tensor.weight
    tensor = check_tensor(tensor, "tensor")
    if tensor.ndim < 2:
        raise ValueError(
            f"tensor must have at least 2 dimensions (a Linear or Conv weight) to have fans, "
            f"got shape {tuple(tensor.shape)}; biases and other 1-D tensors have no fan_in/fan_out"
        )
    return tensor


def receptive_field_size(tensor) -> int:
    r"""Number of input positions one kernel sees: :math:`\prod_{i \ge 2} \text{shape}_i` (1 for a Linear weight).

    Parameters
    ----------
    tensor : torch.Tensor or torch.nn.Module
        A weight tensor (at least 2-D) or a layer with a ``.weight``.

    Returns
    -------
    int
        The receptive field size.
    """
    return math.prod(_weight(tensor).shape[2:])


def compute_fans(tensor) -> tuple[int, int]:
    r"""``(fan_in, fan_out)`` of a Linear or Conv weight of shape ``(out, in, *kernel)``.

    :math:`\text{fan}_\text{in} = \text{in} \cdot k` and :math:`\text{fan}_\text{out} = \text{out}
    \cdot k`, where :math:`k` is the receptive field size (:func:`receptive_field_size`, e.g.
    :math:`3 \times 3 = 9` for a 3×3 convolution). A Conv2d(16, 32, 3) weight has shape
    ``(32, 16, 3, 3)``, fan-in :math:`16\cdot 9 = 144` and fan-out :math:`32 \cdot 9 = 288`.

    Parameters
    ----------
    tensor : torch.Tensor or torch.nn.Module
        A weight of shape ``(out, in, *kernel)`` (at least 2-D), or a layer with a ``.weight``.

    Returns
    -------
    tuple of int
        ``(fan_in, fan_out)``.
    """
    w = _weight(tensor)
    k = receptive_field_size(w)
    return w.shape[1] * k, w.shape[0] * k


def fan_in(tensor) -> int:
    r""":math:`\text{fan}_\text{in}`: inputs that feed one output unit (see :func:`compute_fans`).

    Parameters
    ----------
    tensor : torch.Tensor or torch.nn.Module
        A weight of shape ``(out, in, *kernel)`` (at least 2-D), or a layer with a ``.weight``.

    Returns
    -------
    int
        ``in * k``, :math:`k` the receptive field size.
    """
    return compute_fans(tensor)[0]


def fan_out(tensor) -> int:
    r""":math:`\text{fan}_\text{out}`: output units that one input feeds (see :func:`compute_fans`).

    Parameters
    ----------
    tensor : torch.Tensor or torch.nn.Module
        A weight of shape ``(out, in, *kernel)`` (at least 2-D), or a layer with a ``.weight``.

    Returns
    -------
    int
        ``out * k``, :math:`k` the receptive field size.
    """
    return compute_fans(tensor)[1]


def fan_avg(tensor) -> float:
    r""":math:`\text{fan}_\text{avg} = (\text{fan}_\text{in} + \text{fan}_\text{out}) / 2`, Glorot's compromise.

    Parameters
    ----------
    tensor : torch.Tensor or torch.nn.Module
        A weight of shape ``(out, in, *kernel)`` (at least 2-D), or a layer with a ``.weight``.

    Returns
    -------
    float
        ``(fan_in + fan_out) / 2``.
    """
    fi, fo = compute_fans(tensor)
    return (fi + fo) / 2


def _fan(tensor, mode: str) -> float:
    check_choice(mode, "mode", _MODES)
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": fan_avg}[mode](tensor)


#: The gain :math:`g` of :func:`calculate_gain`: the factor that restores unit variance after a nonlinearity.
_GAINS = {
    "linear": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The recommended gain for a nonlinearity (``torch.nn.init.calculate_gain``).

    ===================  =======================================
    nonlinearity         gain
    ===================  =======================================
    linear, conv*        :math:`1`
    sigmoid              :math:`1`
    tanh                 :math:`5/3`
    relu                 :math:`\sqrt 2`
    leaky_relu           :math:`\sqrt{2/(1 + a^2)}`, :math:`a` = ``param`` (default 0.01)
    selu                 :math:`3/4`
    ===================  =======================================

    Parameters
    ----------
    nonlinearity : str
        A name from the table: ``"linear"``, ``"conv1d"``, ``"conv2d"``, ``"conv3d"``, ``"conv_transpose1d"``,
        ``"conv_transpose2d"``, ``"conv_transpose3d"``, ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``
        or ``"selu"``.
    param : float or None, default None
        The leaky ReLU's negative slope :math:`a` (None: 0.01); ignored for the other nonlinearities.

    Returns
    -------
    float
        The gain.
    """
    check_choice(nonlinearity, "nonlinearity", list(_GAINS) + ["leaky_relu"])
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, numbers.Real):
            raise ValueError(f"param must be a number (the negative slope), got {param!r}")
        return math.sqrt(2.0 / (1 + float(slope) ** 2))
    return _GAINS[nonlinearity]
