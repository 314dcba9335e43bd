r"""The classic element-wise activations, identity, the logistic sigmoid and tanh, with their analytic
derivatives; and the input check every activation function of the package shares.

Every function takes a floating-point tensor ``x``. Each ``*_grad`` function returns the derivative
:math:`\varphi'(x)` element-wise, so that the chain rule reads ``grad_input = grad_output * phi_grad(x)``.
All of them stay finite for ``|x|`` up to ``1e4`` in float32: no branch ever evaluates ``exp`` of a large
positive number, even in the half of a ``torch.where`` that is thrown away (a thrown-away ``inf`` still
poisons gradients through ``0 * inf = nan``). :mod:`dlcourse.activations` registers them by name.

Examples
--------
>>> import torch
>>> x = torch.tensor([-1e4, 0.0, 1e4])
>>> sigmoid(x), sigmoid_grad(x)
(tensor([0.0000, 0.5000, 1.0000]), tensor([0.0000, 0.2500, 0.0000]))
"""

from __future__ import annotations

import torch

from .._checks import check_tensor

__all__ = [
    "identity",
    "identity_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
]


def _x(x) -> torch.Tensor:
    return check_tensor(x, "x", floating=True)


# --------------------------------------------------------------------------- identity
def identity(x: torch.Tensor) -> torch.Tensor:
    r"""Identity (linear) activation :math:`\varphi(x) = x`; derivative 1.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        A copy of ``x``.
    """
    return _x(x).clone()


def identity_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\varphi'(x) = 1`.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        Ones, same shape and dtype as ``x``.
    """
    return torch.ones_like(_x(x))


# --------------------------------------------------------------------------- sigmoid
def sigmoid(x: torch.Tensor) -> torch.Tensor:
    r"""Logistic sigmoid :math:`\sigma(x) = \dfrac{1}{1 + e^{-x}}`, range (0, 1).

    Computed stably as :math:`\frac{1}{1+e^{-|x|}}` for :math:`x \ge 0` and
    :math:`\frac{e^{-|x|}}{1+e^{-|x|}}` for :math:`x < 0`, so ``exp`` only ever sees a
    non-positive argument: :math:`e^{-x}` for :math:`x = -10^4` would overflow to ``inf``.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        ``sigmoid(x)``, same shape as ``x``.
    """
    x = _x(x)
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`, at most 1/4 (at 0).

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        The derivative at ``x``, same shape as ``x``.
    """
    s = sigmoid(x)
    return s * (1.0 - s)


# --------------------------------------------------------------------------- tanh
def tanh(x: torch.Tensor) -> torch.Tensor:
    r"""Hyperbolic tangent :math:`\tanh(x) = \dfrac{e^{x} - e^{-x}}{e^{x} + e^{-x}}`, range (−1, 1).

    Computed as :math:`\operatorname{sign}(x)\,\dfrac{1 - e^{-2|x|}}{1 + e^{-2|x|}}`
    (with ``expm1`` for precision near 0), which never overflows.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        ``tanh(x)``, same shape as ``x``.
    """
    x = _x(x)
    e = torch.exp(-2.0 * x.abs())
    return torch.sign(x) * (-torch.expm1(-2.0 * x.abs())) / (1.0 + e)


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\tanh'(x) = 1 - \tanh^2(x)`, at most 1 (at 0).

    Computed as :math:`\operatorname{sech}^2 x = \dfrac{4e^{-2|x|}}{(1 + e^{-2|x|})^2}`: the same value,
    without the cancellation of :math:`1 - t^2` when :math:`t` is within float32 rounding of ±1.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        The derivative at ``x``, same shape as ``x``.
    """
    return _sech2(_x(x))


def _sech2(u: torch.Tensor) -> torch.Tensor:
    e = torch.exp(-2.0 * u.abs())
    return 4.0 * e / (1.0 + e) ** 2
