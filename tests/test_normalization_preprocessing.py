"""dlcourse.normalization.preprocessing: whitening against scikit-learn's PCA. (The Standardizer's
comparison with scikit-learn lives in tests/test_data.py.)"""

from __future__ import annotations

import pytest
import torch
from sklearn.decomposition import PCA

import dlcourse
from dlcourse.normalization import preprocessing as P


@pytest.mark.parametrize("zca", [False, True])
def test_whitening_gives_identity_covariance_and_inverts(zca):
    g = dlcourse.make_generator(0)
    X = (
        torch.randn(500, 3, generator=g, dtype=torch.float64)
        @ torch.tensor([[2.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.0, 0.0, 0.1]], dtype=torch.float64)
        + 4
    )
    w = P.PCAWhitener(eps=0.0, zca=zca).fit(X)
    Z = w.transform(X)
    torch.testing.assert_close(Z.T @ Z / len(Z), torch.eye(3, dtype=torch.float64))
    torch.testing.assert_close(w.inverse_transform(Z), X)


def test_pca_whitening_matches_sklearn_up_to_sign():
    X = dlcourse.randn(300, 4, seed=1, dtype=torch.float64) @ dlcourse.randn(4, 4, seed=2, dtype=torch.float64)
    ours = P.PCAWhitener(eps=0.0).fit_transform(X).numpy()
    n = len(X)
    theirs = PCA(whiten=True).fit_transform(X.numpy()) * (n / (n - 1)) ** 0.5  # sklearn: variance with n - 1
    torch.testing.assert_close(torch.tensor(abs(ours)), torch.tensor(abs(theirs)), atol=1e-8, rtol=1e-6)


def test_zca_stays_close_to_the_input_features():
    X = dlcourse.randn(400, 3, seed=3, dtype=torch.float64) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    Z = P.PCAWhitener(zca=True).fit_transform(X)
    corr = torch.corrcoef(torch.cat([X, Z], 1).T)[:3, 3:]
    assert (corr.diagonal() > 0.95).all()


def test_whitener_errors():
    with pytest.raises(RuntimeError, match="not fitted"):
        P.PCAWhitener().transform(torch.zeros(2, 2))
    with pytest.raises(ValueError, match="^X must be 2-D"):
        P.PCAWhitener().fit(torch.zeros(4))
    with pytest.raises(ValueError, match="^eps"):
        P.PCAWhitener(eps=-1)
