"""The real data sets that ship with scikit-learn (read through :mod:`dlcourse.bundled`, without
importing it): digits, breast cancer and diabetes, split and standardised."""

from __future__ import annotations

import numpy as np

from .. import bundled
from .splitting import DataSplits, make_splits

__all__ = [
    "load_digits",
    "load_breast_cancer",
    "load_diabetes",
]


def load_digits(
    *, as_images: bool = False, seed: int = 0, val_size: float = 0.15, test_size: float = 0.15, standardize: bool = True
) -> DataSplits:
    """scikit-learn's 1,797 handwritten digits (8×8, 10 classes).

    ``as_images=False``: 64-vectors standardised per pixel. ``as_images=True``: tensors of
    shape ``(n, 1, 8, 8)`` standardised with one mean and std for the whole image, so that
    spatial transforms (flips, crops) stay meaningful.

    Parameters
    ----------
    as_images : bool, default False
        Return images ``(n, 1, 8, 8)`` instead of vectors ``(n, 64)``.
    seed : int, default 0
        Seed of the (stratified) split.
    val_size, test_size : float, default 0.15
        Fractions of the whole for the validation and test splits, each in [0, 1), summing to < 1.
    standardize : bool, default True
        Standardise the inputs with statistics of the training split.

    Returns
    -------
    DataSplits
        Inputs ``(n, 64)`` (or ``(n, 1, 8, 8)`` with ``as_images``), int64 labels 0-9.
    """
    images, target = bundled.digits()
    X = images[:, None, :, :] if as_images else images.reshape(len(images), -1)
    dims = (0, 1, 2, 3) if as_images else (0,)
    return make_splits(
        X,
        target.astype(np.int64),
        name="digits",
        seed=seed,
        val_size=val_size,
        test_size=test_size,
        standardize=standardize,
        standardize_dims=dims,
    )


def load_breast_cancer(
    *, seed: int = 0, val_size: float = 0.15, test_size: float = 0.15, standardize: bool = True
) -> DataSplits:
    """Wisconsin breast cancer: 569 examples, 30 features, binary target (1 = benign).

    Parameters
    ----------
    seed : int, default 0
        Seed of the (stratified) split.
    val_size, test_size : float, default 0.15
        Fractions of the whole for the validation and test splits, each in [0, 1), summing to < 1.
    standardize : bool, default True
        Standardise the inputs with statistics of the training split.

    Returns
    -------
    DataSplits
        Inputs ``(n, 30)``, int64 labels (0 = malignant, 1 = benign).
    """
    X, y = bundled.breast_cancer()
    return make_splits(
        X,
        y.astype(np.int64),
        name="breast_cancer",
        seed=seed,
        val_size=val_size,
        test_size=test_size,
        standardize=standardize,
    )


def load_diabetes(
    *, seed: int = 0, val_size: float = 0.15, test_size: float = 0.15, standardize: bool = True, raw: bool = False
) -> DataSplits:
    """Diabetes progression: 442 examples, 10 features, a float regression target of shape (n, 1).

    ``raw=True`` gives the features in their original units (age in years, sex coded 1/2, BMI,
    blood pressure, six serum measurements) instead of scikit-learn's pre-scaled columns; with
    ``standardize=False`` that is the badly scaled design matrix of chapter 3.

    Parameters
    ----------
    seed : int, default 0
        Seed of the split.
    val_size, test_size : float, default 0.15
        Fractions of the whole for the validation and test splits, each in [0, 1), summing to < 1.
    standardize : bool, default True
        Standardise the inputs with statistics of the training split.
    raw : bool, default False
        Features in their original units instead of scikit-learn's pre-scaled columns.

    Returns
    -------
    DataSplits
        Inputs ``(n, 10)``, float32 targets ``(n, 1)``.
    """
    X, y = bundled.diabetes(scaled=not raw)
    return make_splits(
        X,
        y.astype(np.float32),
        name="diabetes",
        seed=seed,
        val_size=val_size,
        test_size=test_size,
        standardize=standardize,
    )
