r"""Normalisation of inputs and activations.

Chapter 3 grows this module (batch norm, layer norm, whitening); the data loaders already
use :class:`Standardizer`, because the rule it enforces matters from the first chapter on:
statistics are fitted on the *training* split only, then applied unchanged to validation
and test data, so that no information about them leaks into training.
"""

from __future__ import annotations

import torch

from ._checks import check_tensor


class Standardizer:
    r"""Per-feature standardisation :math:`z = (x - \mu) / \sigma`, fitted on training data only.

    :math:`\mu` and :math:`\sigma` (population standard deviation, as in scikit-learn's
    ``StandardScaler``) are computed over ``dims`` (default: the batch dimension, i.e. one
    pair per feature; ``dims=(0, 2, 3)`` gives one pair per image channel). A feature with
    zero variance (a pixel that is always blank) gets :math:`\sigma = 1`, so it maps to 0
    instead of NaN.

    Examples
    --------
    >>> s = Standardizer().fit(torch.tensor([[0.0, 5.0], [2.0, 5.0]]))
    >>> s.transform(torch.tensor([[1.0, 5.0]]))
    tensor([[0., 0.]])
    """

    def __init__(self, dims: tuple[int, ...] = (0,)):
        self.dims = tuple(dims)
        self.mean: torch.Tensor | None = None
        self.std: torch.Tensor | None = None

    def fit(self, X: torch.Tensor) -> "Standardizer":
        X = check_tensor(X, "X", floating=True)
        if X.shape[0] < 1:
            raise ValueError("X must have at least one row to fit a Standardizer")
        self.mean = X.mean(dim=self.dims, keepdim=True)
        std = X.std(dim=self.dims, keepdim=True, unbiased=False)
        self.std = torch.where(std > 0, std, torch.ones_like(std))
        return self

    def _check_fitted(self) -> None:
        if self.mean is None:
            raise RuntimeError("this Standardizer is not fitted yet: call fit(X_train) first")

    def transform(self, X: torch.Tensor) -> torch.Tensor:
        self._check_fitted()
        X = check_tensor(X, "X", floating=True)
        return (X - self.mean.to(X.device)) / self.std.to(X.device)

    def inverse_transform(self, Z: torch.Tensor) -> torch.Tensor:
        self._check_fitted()
        Z = check_tensor(Z, "Z", floating=True)
        return Z * self.std.to(Z.device) + self.mean.to(Z.device)

    def fit_transform(self, X: torch.Tensor) -> torch.Tensor:
        return self.fit(X).transform(X)
