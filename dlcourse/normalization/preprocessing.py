r"""Preprocessing of inputs: :class:`Standardizer` (per-feature mean and standard deviation) and
:class:`PCAWhitener` (decorrelate, then scale to unit variance).

The rule both enforce matters everywhere: statistics are fitted on the *training* split only, then applied
unchanged to validation and test data, so that no information about them leaks into training.

Examples
--------
>>> import torch
>>> s = Standardizer().fit(torch.tensor([[0.0, 10.0], [2.0, 30.0]]))
>>> s.transform(torch.tensor([[1.0, 20.0]]))
tensor([[0., 0.]])
"""

from __future__ import annotations

import torch

from .._checks import (
    check_nonnegative,
    check_tensor,
)

__all__ = ["Standardizer", "PCAWhitener"]


class Standardizer:
    r"""Per-feature standardisation :math:`z = (x - \mu) / \sigma`, fitted on training data only.

    :math:`\mu` and :math:`\sigma` (population standard deviation, as in scikit-learn's
    ``StandardScaler``) are computed over ``dims`` (default: the batch dimension, i.e. one
    pair per feature; ``dims=(0, 2, 3)`` gives one pair per image channel). A feature with
    zero variance (a pixel that is always blank) gets :math:`\sigma = 1`, so it maps to 0
    instead of NaN.

    Parameters
    ----------
    dims : tuple of int, default (0,)
        The dimensions the statistics are computed over.

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
        r"""Compute :math:`\mu` and :math:`\sigma` on the training data ``X``.

        Parameters
        ----------
        X : torch.Tensor
            Floating-point training data, at least one row.

        Returns
        -------
        Standardizer
            ``self``, fitted (its ``mean`` and ``std`` keep the reduced dimensions, with size 1).
        """
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
        r"""Standardise ``X`` with the fitted statistics: :math:`(X - \mu) / \sigma`.

        Parameters
        ----------
        X : torch.Tensor
            Floating-point data, shaped like the training data except along ``dims``.

        Returns
        -------
        torch.Tensor
            The standardised data, same shape.

        Raises
        ------
        RuntimeError
            If the standardizer is not fitted.
        """
        self._check_fitted()
        X = check_tensor(X, "X", floating=True)
        return (X - self.mean.to(X.device)) / self.std.to(X.device)

    def inverse_transform(self, Z: torch.Tensor) -> torch.Tensor:
        r"""Undo :meth:`transform`: :math:`Z\sigma + \mu`.

        Parameters
        ----------
        Z : torch.Tensor
            Floating-point standardised data.

        Returns
        -------
        torch.Tensor
            The data in the original units, same shape.

        Raises
        ------
        RuntimeError
            If the standardizer is not fitted.
        """
        self._check_fitted()
        Z = check_tensor(Z, "Z", floating=True)
        return Z * self.std.to(Z.device) + self.mean.to(Z.device)

    def fit_transform(self, X: torch.Tensor) -> torch.Tensor:
        """Fit on ``X``, then standardise it.

        Parameters
        ----------
        X : torch.Tensor
            Floating-point training data.

        Returns
        -------
        torch.Tensor
            ``X`` standardised, same shape.
        """
        return self.fit(X).transform(X)


# --------------------------------------------------------------------------- whitening
class PCAWhitener:
    r"""PCA (or ZCA) whitening, fitted on training data only.

    With the centred training data :math:`X_c = X - \mu` and its covariance
    :math:`\Sigma = X_c^\top X_c / n = U \Lambda U^\top` (eigendecomposition),

    .. math::

        \text{PCA: } Z = X_c\,U(\Lambda + \epsilon I)^{-1/2}, \qquad
        \text{ZCA: } Z = X_c\,U(\Lambda + \epsilon I)^{-1/2}U^\top .

    The covariance of :math:`Z` on the training data is the identity (up to :math:`\epsilon`):
    features are decorrelated *and* scaled to unit variance. ZCA rotates back, so that each
    output stays close to the input feature of the same index. Columns of :math:`U` are
    ordered by decreasing eigenvalue. ``eps`` keeps directions of (near-)zero variance finite.

    Parameters
    ----------
    eps : float, default 1e-5
        :math:`\epsilon` added to the eigenvalues, >= 0.
    zca : bool, default False
        ZCA whitening (rotate back) instead of PCA.

    Raises
    ------
    TypeError, ValueError
        If ``zca`` is not a bool or ``eps`` is negative.

    Examples
    --------
    >>> X = torch.tensor([[0.0, 0.0], [2.0, 2.0], [1.0, 2.0], [3.0, 4.0]])
    >>> Z = PCAWhitener().fit_transform(X)
    >>> torch.allclose(Z.T @ Z / len(Z), torch.eye(2), atol=1e-3)
    True
    """

    def __init__(self, eps: float = 1e-5, zca: bool = False):
        self.eps = check_nonnegative(eps, "eps")
        if not isinstance(zca, bool):
            raise TypeError(f"zca must be a bool, got {type(zca).__name__}")
        self.zca = zca
        self.mean: torch.Tensor | None = None
        self.eigenvalues: torch.Tensor | None = None
        self.components: torch.Tensor | None = None

    def fit(self, X: torch.Tensor) -> "PCAWhitener":
        r"""Compute :math:`\mu`, the eigenvalues :math:`\Lambda` and the components :math:`U` on ``X``.

        Parameters
        ----------
        X : torch.Tensor
            Floating-point training data of shape ``(n, d)``, ``n >= 2``.

        Returns
        -------
        PCAWhitener
            ``self``, fitted (``mean`` of shape ``(1, d)``, ``eigenvalues`` ``(d,)`` in decreasing order,
            ``components`` ``(d, d)``).
        """
        X = _check_matrix(X, "X")
        if X.shape[0] < 2:
            raise ValueError(f"X must have at least 2 rows to estimate a covariance, got {X.shape[0]}")
        self.mean = X.mean(dim=0, keepdim=True)
        Xc = X - self.mean
        cov = Xc.T @ Xc / X.shape[0]
        eigenvalues, vectors = torch.linalg.eigh(cov)  # ascending
        self.eigenvalues = eigenvalues.flip(0).clamp(min=0)
        self.components = vectors.flip(1)
        return self

    def _matrices(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.mean is None:
            raise RuntimeError("this PCAWhitener is not fitted yet: call fit(X_train) first")
        scale = (self.eigenvalues + self.eps).sqrt()
        U = self.components
        forward, backward = U / scale, (U * scale).T
        if self.zca:
            forward, backward = forward @ U.T, U @ backward
        return forward, backward

    def transform(self, X: torch.Tensor) -> torch.Tensor:
        """Whiten ``X`` with the fitted statistics.

        Parameters
        ----------
        X : torch.Tensor
            Floating-point data of shape ``(m, d)``.

        Returns
        -------
        torch.Tensor
            :math:`Z`, of shape ``(m, d)``.

        Raises
        ------
        RuntimeError
            If the whitener is not fitted.
        """
        X = _check_matrix(X, "X")
        forward, _ = self._matrices()
        return (X - self.mean.to(X)) @ forward.to(X)

    def inverse_transform(self, Z: torch.Tensor) -> torch.Tensor:
        """Undo :meth:`transform` (exactly, up to rounding).

        Parameters
        ----------
        Z : torch.Tensor
            Floating-point whitened data of shape ``(m, d)``.

        Returns
        -------
        torch.Tensor
            The data in the original coordinates, of shape ``(m, d)``.

        Raises
        ------
        RuntimeError
            If the whitener is not fitted.
        """
        Z = _check_matrix(Z, "Z")
        _, backward = self._matrices()
        return Z @ backward.to(Z) + self.mean.to(Z)

    def fit_transform(self, X: torch.Tensor) -> torch.Tensor:
        """Fit on ``X``, then whiten it.

        Parameters
        ----------
        X : torch.Tensor
            Floating-point training data of shape ``(n, d)``.

        Returns
        -------
        torch.Tensor
            The whitened ``X``, of shape ``(n, d)``.
        """
        return self.fit(X).transform(X)


def _check_matrix(X, name: str) -> torch.Tensor:
    X = check_tensor(X, name, floating=True)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {tuple(X.shape)}")
    return X
