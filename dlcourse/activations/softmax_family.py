r"""Softmax and log-softmax along a dimension, the Jacobian of softmax, and their vector-Jacobian products.

Their Jacobians are not diagonal, so instead of an element-wise derivative the ``*_grad`` functions take
``grad_output`` and return :math:`g^\top J`. Subtracting the maximum first keeps every exponent
:math:`\le 0`, so nothing overflows.

Examples
--------
>>> import torch
>>> softmax(torch.tensor([0.0, 1e4]))
tensor([0., 1.])
>>> softmax_jacobian(torch.tensor([0.0, 0.0]))
tensor([[ 0.2500, -0.2500],
        [-0.2500,  0.2500]])
"""

from __future__ import annotations

import torch

from .._checks import check_dim, check_tensor
from .elementwise import _x

__all__ = ["softmax", "log_softmax", "softmax_jacobian", "softmax_grad", "log_softmax_grad"]


# --------------------------------------------------------------------------- softmax
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Softmax along ``dim``: :math:`\operatorname{softmax}(x)_i = \dfrac{e^{x_i}}{\sum_j e^{x_j}}`.

    Subtracting :math:`\max_j x_j` first leaves the result unchanged (it cancels in the
    ratio) and keeps every exponent :math:`\le 0`, so nothing overflows.

    Parameters
    ----------
    x : torch.Tensor
        Logits: a floating-point tensor of any shape.
    dim : int, default -1
        The dimension to normalise along.

    Returns
    -------
    torch.Tensor
        Probabilities, same shape as ``x``, summing to 1 along ``dim``.
    """
    x = _x(x)
    dim = check_dim(x, dim)
    z = x - x.amax(dim=dim, keepdim=True)
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Log-softmax along ``dim``: :math:`x_i - \log\sum_j e^{x_j}`, computed as
    :math:`z_i - \log\sum_j e^{z_j}` with :math:`z = x - \max_j x_j` (log-sum-exp trick).

    Parameters
    ----------
    x : torch.Tensor
        Logits: a floating-point tensor of any shape.
    dim : int, default -1
        The dimension to normalise along.

    Returns
    -------
    torch.Tensor
        Log-probabilities, same shape as ``x``.
    """
    x = _x(x)
    dim = check_dim(x, dim)
    z = x - x.amax(dim=dim, keepdim=True)
    return z - torch.log(torch.exp(z).sum(dim=dim, keepdim=True))


def softmax_jacobian(x: torch.Tensor) -> torch.Tensor:
    r"""Jacobian of softmax for a 1-D ``x``: :math:`J = \operatorname{diag}(s) - s s^\top`, :math:`s = \operatorname{softmax}(x)`.

    Parameters
    ----------
    x : torch.Tensor
        Logits: a 1-D floating-point tensor of length ``n``.

    Returns
    -------
    torch.Tensor
        The Jacobian :math:`J_{ij} = \partial s_i / \partial x_j`, shape ``(n, n)``.
    """
    x = _x(x)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D for softmax_jacobian, got shape {tuple(x.shape)}")
    s = softmax(x)
    return torch.diag(s) - torch.outer(s, s)


def softmax_grad(x: torch.Tensor, grad_output: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Vector-Jacobian product of softmax: :math:`g^\top J = s \odot (g - \langle g, s\rangle)` along ``dim``.

    Parameters
    ----------
    x : torch.Tensor
        Logits: a floating-point tensor of any shape.
    grad_output : torch.Tensor
        :math:`g = \partial L/\partial s`, floating point, same shape as ``x``.
    dim : int, default -1
        The dimension softmax normalises along.

    Returns
    -------
    torch.Tensor
        :math:`\partial L/\partial x`, same shape as ``x``.
    """
    s = softmax(x, dim)
    g = check_tensor(grad_output, "grad_output", floating=True)
    return s * (g - (g * s).sum(dim=dim, keepdim=True))


def log_softmax_grad(x: torch.Tensor, grad_output: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Vector-Jacobian product of log-softmax: :math:`g - s \sum_j g_j` along ``dim``.

    Parameters
    ----------
    x : torch.Tensor
        Logits: a floating-point tensor of any shape.
    grad_output : torch.Tensor
        :math:`g = \partial L/\partial \log s`, floating point, same shape as ``x``.
    dim : int, default -1
        The dimension log-softmax normalises along.

    Returns
    -------
    torch.Tensor
        :math:`\partial L/\partial x`, same shape as ``x``.
    """
    s = softmax(x, dim)
    g = check_tensor(grad_output, "grad_output", floating=True)
    return g - s * g.sum(dim=dim, keepdim=True)
