r"""Layer normalization written from the algorithm: :func:`layer_norm` and the module :class:`LayerNorm`,
tested against ``torch.nn.LayerNorm``.

Examples
--------
>>> import torch
>>> layer_norm(torch.tensor([[1.0, 3.0]]), (2,)).round(decimals=3)
tensor([[-1.,  1.]])
"""

from __future__ import annotations

import numbers

import torch
from torch import nn

from .._checks import (
    check_positive,
    check_positive_int,
    check_tensor,
)

__all__ = ["layer_norm", "LayerNorm"]


# --------------------------------------------------------------------------- layer normalization
def layer_norm(
    x: torch.Tensor,
    normalized_shape: tuple[int, ...],
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    eps: float = 1e-5,
) -> torch.Tensor:
    r"""Layer normalization (Ba et al., 2016): statistics per *example*, over its last
    ``len(normalized_shape)`` dimensions (the :math:`H` features of that example):

    .. math::

        \mu = \frac1H\sum_{j} x_j, \quad \sigma^2 = \frac1H\sum_j (x_j - \mu)^2, \quad
        y = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta .

    No running statistics: training and evaluation compute the same thing, and an example's
    output does not depend on the rest of the batch.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point input of shape ``(*, *normalized_shape)``.
    normalized_shape : tuple of int
        The shape of the last dimensions, normalised together (at least one).
    weight : torch.Tensor, optional
        :math:`\gamma`, broadcastable to ``normalized_shape``; ``None`` means 1.
    bias : torch.Tensor, optional
        :math:`\beta`, broadcastable to ``normalized_shape``; ``None`` means 0.
    eps : float, default 1e-5
        :math:`\epsilon`, > 0.

    Returns
    -------
    torch.Tensor
        :math:`y`, of the shape of ``x``.

    Raises
    ------
    ValueError
        If ``normalized_shape`` is empty or ``x`` does not end with it, or ``eps <= 0``.
    """
    x = check_tensor(x, "x", floating=True)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(x.shape[x.ndim - k :]) != normalized_shape or x.ndim < k:
        raise ValueError(
            f"x must end with the normalized shape {normalized_shape}: expected shape "
            f"(*, {', '.join(map(str, normalized_shape))}), got {tuple(x.shape)}"
        )
    dims = tuple(range(x.ndim - k, x.ndim))
    var, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
    out = (x - mean) * torch.rsqrt(var + check_positive(eps, "eps"))
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


class LayerNorm(nn.Module):
    r"""Layer normalization as a module: :func:`layer_norm` over the last dimensions
    ``normalized_shape``, with an element-wise learnable :math:`\gamma` (init 1) and
    :math:`\beta` (init 0) of that shape (``elementwise_affine``, ``bias``), as ``nn.LayerNorm``.

    Parameters
    ----------
    normalized_shape : int or sequence of int
        The shape of the last dimensions to normalise over, each >= 1.
    eps : float, default 1e-5
        :math:`\epsilon` added to the variance, > 0.
    elementwise_affine : bool, default True
        Learn :math:`\gamma` (``weight``) and, with ``bias``, :math:`\beta` (``bias``).
    bias : bool, default True
        Learn :math:`\beta` too (only with ``elementwise_affine``).
    device, dtype : optional
        Device and dtype of the parameters.

    Examples
    --------
    >>> LayerNorm(3)(torch.tensor([[1.0, 2.0, 3.0]]))
    tensor([[-1.2247,  0.0000,  1.2247]], grad_fn=<AddBackward0>)
    """

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(check_positive_int(s, "normalized_shape") for s in normalized_shape)
        self.eps = check_positive(eps, "eps")
        self.elementwise_affine = bool(elementwise_affine)
        factory = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(torch.ones(self.normalized_shape, **factory)) if elementwise_affine else None
        self.bias = nn.Parameter(torch.zeros(self.normalized_shape, **factory)) if elementwise_affine and bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply :func:`layer_norm` with the module's parameters.

        Parameters
        ----------
        x : torch.Tensor
            Floating-point input of shape ``(*, *normalized_shape)``.

        Returns
        -------
        torch.Tensor
            The normalised input, same shape.
        """
        x = check_tensor(x, "input", floating=True)
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        """The module's settings, as ``nn.LayerNorm`` prints them.

        Returns
        -------
        str
            E.g. ``"(3,), eps=1e-05, elementwise_affine=True"``.
        """
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
