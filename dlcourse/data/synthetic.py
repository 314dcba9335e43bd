"""Synthetic data sets generated from a seed: the two moons, the spiral arms and a seasonal time series
cut into forecasting windows."""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import bundled
from .._checks import check_nonnegative, check_positive_int, check_probability
from .splitting import DataSplits, make_splits

__all__ = [
    "make_moons",
    "spirals",
    "make_spirals",
    "seasonal_series",
    "make_seasonal_windows",
]


def make_moons(
    n_samples: int = 600, *, noise: float = 0.2, seed: int = 0, val_size: float = 0.15, test_size: float = 0.15
) -> DataSplits:
    """Two interleaving half-moons in 2-D (binary): not linearly separable.

    Parameters
    ----------
    n_samples : int, default 600
        Number of points, >= 1 (half of them, rounded down, in class 0).
    noise : float, default 0.2
        Standard deviation of the Gaussian noise added to the points, >= 0.
    seed : int, default 0
        Seed of the points (:func:`dlcourse.bundled.moons`) and of the (stratified) split.
    val_size, test_size : float, default 0.15
        Fractions of the whole for the validation and test splits, each in [0, 1), summing to < 1.

    Returns
    -------
    DataSplits
        Standardised inputs ``(n, 2)``, int64 labels 0/1.
    """
    X, y = bundled.moons(n_samples, noise=noise, seed=seed)
    return make_splits(X, y.astype(np.int64), name="moons", seed=seed, val_size=val_size, test_size=test_size)


def spirals(
    n_samples: int = 600, *, n_classes: int = 3, noise: float = 0.2, turns: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Raw ``(X, y)`` of ``n_classes`` interleaved spiral arms in 2-D (cs231n's classic toy set).

    Parameters
    ----------
    n_samples : int, default 600
        Total number of points, >= 1; each arm gets ``n_samples // n_classes`` of them (the remainder
        is dropped).
    n_classes : int, default 3
        Number of arms (classes), >= 1.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise on each point's angle (radians), >= 0.
    turns : float, default 1.0
        How many full turns each arm makes.
    seed : int, default 0
        Seed of the noise.

    Returns
    -------
    X : numpy.ndarray
        float32 points of shape ``(m, 2)``, ``m = n_classes * (n_samples // n_classes)``, radius in [0.05, 1].
    y : numpy.ndarray
        int64 labels of shape ``(m,)``, the arms in order.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_classes = check_positive_int(n_classes, "n_classes")
    noise = check_nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    per_class = n_samples // n_classes
    X, y = [], []
    for k in range(n_classes):
        r = np.linspace(0.05, 1.0, per_class)
        theta = np.linspace(0, 2 * math.pi * turns, per_class) + 2 * math.pi * k / n_classes
        theta = theta + rng.normal(scale=noise, size=per_class)
        X.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        y.append(np.full(per_class, k))
    return np.concatenate(X).astype(np.float32), np.concatenate(y).astype(np.int64)


def make_spirals(
    n_samples: int = 600,
    *,
    n_classes: int = 3,
    noise: float = 0.2,
    turns: float = 1.0,
    seed: int = 0,
    val_size: float = 0.15,
    test_size: float = 0.15,
) -> DataSplits:
    """:func:`spirals` split and standardised.

    Parameters
    ----------
    n_samples, n_classes, noise, turns : int or float
        As in :func:`spirals`.
    seed : int, default 0
        Seed of the points and of the (stratified) split.
    val_size, test_size : float, default 0.15
        Fractions of the whole for the validation and test splits, each in [0, 1), summing to < 1.

    Returns
    -------
    DataSplits
        Standardised inputs ``(m, 2)``, int64 labels ``0 .. n_classes - 1``.
    """
    X, y = spirals(n_samples, n_classes=n_classes, noise=noise, turns=turns, seed=seed)
    return make_splits(X, y, name="spirals", seed=seed, val_size=val_size, test_size=test_size)


def seasonal_series(
    n_steps: int = 600, *, period: int = 24, trend: float = 0.002, noise: float = 0.2, seed: int = 0
) -> np.ndarray:
    r"""A synthetic seasonal time series :math:`x_t = \sin(2\pi t/p) + 0.5\sin(4\pi t/p) + c\,t + \varepsilon_t`,
    :math:`\varepsilon_t \sim \mathcal N(0, \sigma^2)`, of length ``n_steps`` (float32).

    Parameters
    ----------
    n_steps : int, default 600
        Length of the series, >= 1.
    period : int, default 24
        The season's length :math:`p` in steps, >= 1.
    trend : float, default 0.002
        The slope :math:`c` of the linear trend per step.
    noise : float, default 0.2
        The noise's standard deviation :math:`\sigma`, >= 0.
    seed : int, default 0
        Seed of the noise.

    Returns
    -------
    numpy.ndarray
        float32 values :math:`x_0, \dots, x_{n-1}`, shape ``(n_steps,)``.
    """
    n_steps = check_positive_int(n_steps, "n_steps")
    period = check_positive_int(period, "period")
    noise = check_nonnegative(noise, "noise")
    t = np.arange(n_steps, dtype=np.float64)
    rng = np.random.default_rng(seed)
    x = (
        np.sin(2 * np.pi * t / period)
        + 0.5 * np.sin(4 * np.pi * t / period)
        + trend * t
        + rng.normal(scale=noise, size=n_steps)
    )
    return x.astype(np.float32)


def make_seasonal_windows(
    n_steps: int = 600,
    *,
    lags: int = 24,
    period: int = 24,
    noise: float = 0.2,
    seed: int = 0,
    val_size: float = 0.15,
    test_size: float = 0.15,
) -> DataSplits:
    """One-step-ahead forecasting on :func:`seasonal_series`: inputs are the last ``lags`` values,
    the target the next one. Split **chronologically** (train = the past, test = the most recent
    windows), never shuffled: a random split would let the model peek at the future. Inputs and
    targets are standardised with the training split's mean and std of the series.

    Parameters
    ----------
    n_steps : int, default 600
        Length of the series; must exceed ``lags + 2``.
    lags : int, default 24
        Number of past values per input window, >= 1.
    period : int, default 24
        The season's length in steps (the trend is :func:`seasonal_series`'s default).
    noise : float, default 0.2
        Standard deviation of the series' noise, >= 0.
    seed : int, default 0
        Seed of the noise.
    val_size, test_size : float, default 0.15
        Fractions of the ``n_steps - lags`` windows (rounded) for the validation and test splits, each
        in [0, 1) with ``val_size + test_size < 1``; the rounded sizes must leave at least two training
        windows (the standardisation needs a spread).

    Returns
    -------
    DataSplits
        Inputs ``(n, lags)`` and targets ``(n, 1)``, float32, in time order; ``standardizer`` is ``None``.

    Raises
    ------
    ValueError
        If ``n_steps <= lags + 2``, a fraction is outside [0, 1), or ``val_size + test_size`` leaves fewer
        than two training windows.
    """
    lags = check_positive_int(lags, "lags")
    series = seasonal_series(n_steps, period=period, noise=noise, seed=seed)
    n_windows = len(series) - lags
    if n_windows < 3:
        raise ValueError(f"n_steps must exceed lags + 2, got n_steps={n_steps}, lags={lags}")
    val_size = check_probability(val_size, "val_size", allow_one=False)
    test_size = check_probability(test_size, "test_size", allow_one=False)
    n_test, n_val = int(round(n_windows * test_size)), int(round(n_windows * val_size))
    n_train = n_windows - n_val - n_test
    if val_size + test_size >= 1 or n_train < 2:
        raise ValueError(
            f"val_size + test_size must leave at least two of the {n_windows} windows for training, got "
            f"{val_size} + {test_size} ({n_val} + {n_test} windows)"
        )
    mean, std = series[: n_train + lags].mean(), series[: n_train + lags].std()
    z = (series - mean) / std
    X = np.stack([z[i : i + lags] for i in range(n_windows)])
    y = z[lags:].reshape(-1, 1)
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    a, b = n_train, n_train + n_val
    return DataSplits(X[:a], y[:a], X[a:b], y[a:b], X[b:], y[b:], name="seasonal")
