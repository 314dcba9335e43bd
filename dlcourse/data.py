"""Offline data sets as tensors, split into train / validation / test.

Nothing here downloads: every loader uses data that ships inside scikit-learn or is
generated from a seed. Inputs are standardised with statistics fitted on the training
split only (see :class:`dlcourse.normalization.Standardizer`).

Examples
--------
>>> data = load_digits(seed=0)
>>> data.X_train.shape[1], data.n_classes
(64, 10)
>>> X, y = data.train
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
import torch

from . import bundled
from ._checks import check_nonnegative, check_positive_int, check_probability
from .normalization import Standardizer

__all__ = [
    "DataSplits",
    "split_indices",
    "shuffle_split",
    "make_splits",
    "load_digits",
    "load_breast_cancer",
    "load_diabetes",
    "make_moons",
    "spirals",
    "make_spirals",
    "seasonal_series",
    "make_seasonal_windows",
    "PHOTOS",
    "load_photos",
]


@dataclass
class DataSplits:
    """Train, validation and test tensors of one data set, plus the fitted standardizer."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    name: str = ""
    standardizer: Standardizer | None = None

    @property
    def train(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.X_train, self.y_train

    @property
    def val(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.X_val, self.y_val

    @property
    def test(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.X_test, self.y_test

    @property
    def n_features(self) -> int:
        return int(np.prod(self.X_train.shape[1:]))

    @property
    def n_classes(self) -> int | None:
        """Number of classes for integer targets, ``None`` for regression targets."""
        if self.y_train.is_floating_point():
            return None
        return int(max(self.y_train.max(), self.y_val.max(), self.y_test.max())) + 1

    def to(self, device) -> "DataSplits":
        """A copy with every tensor moved to ``device``."""
        moved = {
            f.name: getattr(self, f.name).to(device)
            for f in fields(self)
            if isinstance(getattr(self, f.name), torch.Tensor)
        }
        return replace(self, **moved)

    def subset_train(self, n: int, seed: int = 0) -> "DataSplits":
        """A copy whose training split keeps ``n`` random examples (validation and test unchanged)."""
        n = check_positive_int(n, "n")
        if n > len(self.y_train):
            raise ValueError(f"n={n} is larger than the training split ({len(self.y_train)} examples)")
        idx = torch.randperm(len(self.y_train), generator=torch.Generator().manual_seed(seed))[:n]
        return replace(self, X_train=self.X_train[idx], y_train=self.y_train[idx])

    def __repr__(self) -> str:
        sizes = f"train={len(self.y_train)}, val={len(self.y_val)}, test={len(self.y_test)}"
        return f"DataSplits({self.name!r}, {sizes}, x_shape={tuple(self.X_train.shape[1:])})"


def split_indices(
    n: int, *, val_size: float = 0.15, test_size: float = 0.15, seed: int = 0, stratify: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffled train / validation / test index arrays for ``n`` examples.

    ``val_size`` and ``test_size`` are fractions of the whole; ``stratify`` (class labels)
    keeps the class proportions equal in the three splits.
    """
    n = check_positive_int(n, "n")
    val_size = check_probability(val_size, "val_size", allow_one=False)
    test_size = check_probability(test_size, "test_size", allow_one=False)
    if val_size + test_size >= 1:
        raise ValueError(f"val_size + test_size must be < 1, got {val_size} + {test_size}")
    idx = np.arange(n)
    train_val, test = shuffle_split(idx, test_size, seed=seed, stratify=stratify) if test_size > 0 else (idx, idx[:0])
    rel_val = val_size / (1 - test_size)
    strat_tv = None if stratify is None else stratify[train_val]
    train, val = (
        shuffle_split(train_val, rel_val, seed=seed, stratify=strat_tv) if val_size > 0 else (train_val, train_val[:0])
    )
    return train, val, test


def shuffle_split(
    items: np.ndarray, test_size: float, *, seed: int = 0, stratify: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Split ``items`` at random into ``(rest, test)`` with :math:`\lceil \text{test\_size} \cdot n \rceil` test items.

    With ``stratify`` (one class label per item), each class goes to the test part in proportion
    to its size: class :math:`k` with :math:`n_k` items gets about
    :math:`n_k \cdot n_{\text{rest}} / n` items in the rest and the remainder's share of the test
    part, the fractional parts rounded so the totals are exact (ties broken at random).

    The draws are those of ``sklearn.model_selection.train_test_split(items, test_size=test_size,
    random_state=seed, stratify=stratify)``, bit for bit (``tests/test_data.py`` checks it), so
    that the splits do not depend on importing scikit-learn.
    """
    items = np.asarray(items)
    test_size = check_probability(test_size, "test_size", allow_one=False)
    n = len(items)
    n_test = math.ceil(test_size * n)
    n_rest = n - n_test
    if n_test == 0 or n_rest == 0:
        raise ValueError(f"test_size={test_size} leaves an empty part of {n} items")
    rng = np.random.RandomState(seed)
    if stratify is None:
        order = rng.permutation(n)
        return items[order[n_test : n_test + n_rest]], items[order[:n_test]]
    classes, labels, counts = np.unique(np.asarray(stratify), return_inverse=True, return_counts=True)
    if len(stratify) != n:
        raise ValueError(f"stratify must have one label per item ({n}), got {len(stratify)}")
    if counts.min() < 2:
        raise ValueError(f"stratify: every class needs at least 2 items, {classes[counts < 2].tolist()} have 1")
    if min(n_rest, n_test) < len(classes):
        raise ValueError(
            f"test_size={test_size}: each part needs at least one item of each of the {len(classes)} classes"
        )
    by_class = np.split(np.argsort(labels, kind="stable"), np.cumsum(counts)[:-1])
    rest_counts = _proportional_counts(counts, n_rest, rng)
    test_counts = _proportional_counts(counts - rest_counts, n_test, rng)
    rest, test = [], []
    for members, k_rest, k_test in zip(by_class, rest_counts, test_counts):
        shuffled = members.take(rng.permutation(len(members)), mode="clip")
        rest.extend(shuffled[:k_rest])
        test.extend(shuffled[k_rest : k_rest + k_test])
    return items[rng.permutation(rest)], items[rng.permutation(test)]


def _proportional_counts(counts: np.ndarray, n_draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of ``n_draws`` each class gets: its proportional share floored, the shortfall given to the
    largest fractional parts first, ties broken at random (scikit-learn's ``_approximate_mode``)."""
    share = counts / counts.sum() * n_draws
    floored = np.floor(share)
    missing = int(n_draws - floored.sum())
    remainder = share - floored
    for value in np.sort(np.unique(remainder))[::-1]:
        if missing <= 0:
            break
        (tied,) = np.where(remainder == value)
        take = min(len(tied), missing)
        floored[rng.choice(tied, size=take, replace=False)] += 1
        missing -= take
    return floored.astype(int)


def make_splits(
    X,
    y,
    *,
    name: str = "",
    val_size: float = 0.15,
    test_size: float = 0.15,
    seed: int = 0,
    stratify: bool = True,
    standardize: bool = True,
    standardize_dims: tuple[int, ...] = (0,),
) -> DataSplits:
    """Split arrays ``X``, ``y`` into a :class:`DataSplits`, standardising ``X`` on the training split.

    Integer ``y`` become int64 class labels (stratified by default); float ``y`` stay float32
    regression targets of shape ``(n, 1)``.
    """
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    y_np = np.asarray(y)
    classification = np.issubdtype(y_np.dtype, np.integer)
    if classification:
        y_t = torch.as_tensor(y_np, dtype=torch.int64)
    else:
        y_t = torch.as_tensor(y_np, dtype=torch.float32).reshape(len(y_np), -1)
    if len(X) != len(y_t):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y_t)}")
    strat = y_np if (classification and stratify) else None
    tr, va, te = split_indices(len(X), val_size=val_size, test_size=test_size, seed=seed, stratify=strat)
    tr, va, te = (torch.as_tensor(i) for i in (tr, va, te))
    scaler = None
    Xtr, Xva, Xte = X[tr], X[va], X[te]
    if standardize:
        scaler = Standardizer(dims=standardize_dims).fit(Xtr)
        Xtr, Xva, Xte = scaler.transform(Xtr), scaler.transform(Xva), scaler.transform(Xte)
    return DataSplits(Xtr, y_t[tr], Xva, y_t[va], Xte, y_t[te], name=name, standardizer=scaler)


def load_digits(
    *, as_images: bool = False, seed: int = 0, val_size: float = 0.15, test_size: float = 0.15, standardize: bool = True
) -> DataSplits:
    """scikit-learn's 1,797 handwritten digits (8×8, 10 classes).

    ``as_images=False``: 64-vectors standardised per pixel. ``as_images=True``: tensors of
    shape ``(n, 1, 8, 8)`` standardised with one mean and std for the whole image, so that
    spatial transforms (flips, crops) stay meaningful.
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
    """Wisconsin breast cancer: 569 examples, 30 features, binary target (1 = benign)."""
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


def make_moons(
    n_samples: int = 600, *, noise: float = 0.2, seed: int = 0, val_size: float = 0.15, test_size: float = 0.15
) -> DataSplits:
    """Two interleaving half-moons in 2-D (binary): not linearly separable."""
    X, y = bundled.moons(n_samples, noise=noise, seed=seed)
    return make_splits(X, y.astype(np.int64), name="moons", seed=seed, val_size=val_size, test_size=test_size)


def spirals(
    n_samples: int = 600, *, n_classes: int = 3, noise: float = 0.2, turns: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Raw ``(X, y)`` of ``n_classes`` interleaved spiral arms in 2-D (cs231n's classic toy set)."""
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
    """:func:`spirals` split and standardised."""
    X, y = spirals(n_samples, n_classes=n_classes, noise=noise, turns=turns, seed=seed)
    return make_splits(X, y, name="spirals", seed=seed, val_size=val_size, test_size=test_size)


def seasonal_series(
    n_steps: int = 600, *, period: int = 24, trend: float = 0.002, noise: float = 0.2, seed: int = 0
) -> np.ndarray:
    r"""A synthetic seasonal time series :math:`x_t = \sin(2\pi t/p) + 0.5\sin(4\pi t/p) + c\,t + \varepsilon_t`,
    :math:`\varepsilon_t \sim \mathcal N(0, \sigma^2)`, of length ``n_steps`` (float32)."""
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
    targets are standardised with the training split's mean and std of the series."""
    lags = check_positive_int(lags, "lags")
    series = seasonal_series(n_steps, period=period, noise=noise, seed=seed)
    n_windows = len(series) - lags
    if n_windows < 3:
        raise ValueError(f"n_steps must exceed lags + 2, got n_steps={n_steps}, lags={lags}")
    val_size = check_probability(val_size, "val_size", allow_one=False)
    test_size = check_probability(test_size, "test_size", allow_one=False)
    n_test, n_val = int(round(n_windows * test_size)), int(round(n_windows * val_size))
    n_train = n_windows - n_val - n_test
    mean, std = series[: n_train + lags].mean(), series[: n_train + lags].std()
    z = (series - mean) / std
    X = np.stack([z[i : i + lags] for i in range(n_windows)])
    y = z[lags:].reshape(-1, 1)
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    a, b = n_train, n_train + n_val
    return DataSplits(X[:a], y[:a], X[a:b], y[a:b], X[b:], y[b:], name="seasonal")


#: The colour photographs that ship with scikit-image (no download), in the order of :func:`load_photos`.
PHOTOS = ("chelsea", "astronaut", "coffee")


def load_photos(size: int = 96, names=PHOTOS) -> torch.Tensor:
    """scikit-image's sample photographs as one float batch ``(n, 3, size, size)`` with values in [0, 1].

    Each photo is centre-cropped to a square and resized with antialiased bilinear interpolation.
    """
    import torch.nn.functional as F
    from skimage import data as skimage_data  # imported here: only the augmentation chapter needs it

    size = check_positive_int(size, "size")
    images = []
    for name in names:
        img = torch.from_numpy(getattr(skimage_data, name)()).permute(2, 0, 1).float() / 255.0
        h, w = img.shape[1:]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        images.append(img[:, top : top + side, left : left + side])
    batch = torch.stack(
        [
            F.interpolate(i[None], size=(size, size), mode="bilinear", antialias=True, align_corners=False)[0]
            for i in images
        ]
    )
    return batch.clamp(0, 1)
