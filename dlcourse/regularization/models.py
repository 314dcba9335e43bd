r"""Regularization built into the models: bagging's bootstrap resamples and tied weights.

Bagging trains an ensemble on resampled data and averages it; tying makes two layers share one matrix, which
halves the weights to learn.

Examples
--------
>>> bootstrap_indices(5, generator=torch.Generator().manual_seed(0)).shape
torch.Size([5])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import (
    check_positive_int,
    check_tensor,
)

__all__ = ["bootstrap_indices", "TiedAutoencoder"]


# --------------------------------------------------------------------------- bagging and parameter sharing
def bootstrap_indices(n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""A bootstrap resample of ``n`` examples: ``n`` indices drawn uniformly *with replacement*.

    Bagging (bootstrap aggregating) trains each member of an ensemble on its own resample and
    averages their predictions. An example is left out of one resample with probability
    :math:`(1 - 1/n)^n \approx e^{-1} \approx 0.37`, so each member sees about 63 % of the distinct
    examples, some of them several times, and the members' errors are less correlated than with the
    same data.

    Parameters
    ----------
    n : int
        Number of examples (and of indices drawn); must be >= 1.
    generator : torch.Generator, optional
        CPU random generator for a reproducible resample; ``None`` uses the global one.

    Returns
    -------
    torch.Tensor
        int64 indices in ``[0, n)``, shape ``(n,)``.

    Examples
    --------
    >>> idx = bootstrap_indices(1000, generator=torch.Generator().manual_seed(0))
    >>> idx.shape, bool(idx.min() >= 0), bool(idx.max() < 1000)
    (torch.Size([1000]), True, True)
    """
    n = check_positive_int(n, "n")
    return torch.randint(0, n, (n,), generator=generator)


class TiedAutoencoder(nn.Module):
    r"""An autoencoder whose decoder reuses the encoder's weight matrix, transposed (tied weights):

    .. math:: h = \varphi(W x + b), \qquad \hat x = W^\top h + c,

    with :math:`W \in \mathbb{R}^{k\times d}` (``hidden`` × ``in_features``) the only weight matrix, and
    ReLU as :math:`\varphi`. An untied autoencoder would learn a second matrix :math:`V \in \mathbb{R}^{d\times k}`
    for the decoder: tying halves the number of weights. The gradient of the loss with respect to
    :math:`W` is the sum of its two uses, :math:`\partial L/\partial W = \delta_h x^\top + h\,\delta_{\hat x}^\top`
    (encoder, decoder), which autograd accumulates into the one tensor.

    Parameters
    ----------
    in_features : int
        Input (and output) size :math:`d`; must be >= 1.
    hidden : int
        Code size :math:`k`; must be >= 1.

    Examples
    --------
    >>> ae = TiedAutoencoder(64, 16)
    >>> sum(p.numel() for p in ae.parameters())   # 64 * 16 weights + 16 + 64 biases
    1104
    >>> ae(torch.zeros(5, 64)).shape
    torch.Size([5, 64])
    """

    def __init__(self, in_features: int, hidden: int):
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.hidden = check_positive_int(hidden, "hidden")
        self.encoder = nn.Linear(self.in_features, self.hidden)
        self.decoder_bias = nn.Parameter(torch.zeros(self.in_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r"""Encode and decode ``x``.

        Parameters
        ----------
        x : torch.Tensor
            Floating-point input, shape ``(N, in_features)``.

        Returns
        -------
        torch.Tensor
            The reconstruction :math:`\hat x`, shape ``(N, in_features)``.
        """
        h = torch.relu(self.encoder(check_tensor(x, "x", floating=True)))
        return F.linear(h, self.encoder.weight.t(), self.decoder_bias)  # the same W, transposed
