"""Splitting a data set into train / validation / test: the container :class:`DataSplits`, the random
(optionally stratified) index splits, and :func:`make_splits`, which standardises the inputs on the
training split."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
import torch

from .._checks import check_positive_int, check_probability
from ..normalization import Standardizer

__all__ = [
    "DataSplits",
    "split_indices",
    "shuffle_split",
    "make_splits",
]


@dataclass
class DataSplits:
    """Train, validation and test tensors of one data set, plus the fitted standardizer.

    Parameters
    ----------
    X_train, y_train : torch.Tensor
        Training inputs ``(n_train, ...)`` and targets: int64 labels ``(n_train,)``, or float
        regression targets ``(n_train, 1)``.
    X_val, y_val : torch.Tensor
        Validation inputs and targets, shaped like the training ones.
    X_test, y_test : torch.Tensor
        Test inputs and targets, shaped like the training ones.
    name : str, default ""
        The data set's name, shown by ``repr``.
    standardizer : Standardizer, optional
        The standardizer fitted on ``X_train`` (``None`` when the inputs were not standardised by one).
    """

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
        """The training split ``(X_train, y_train)``."""
        return self.X_train, self.y_train

    @property
    def val(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The validation split ``(X_val, y_val)``."""
        return self.X_val, self.y_val

    @property
    def test(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The test split ``(X_test, y_test)``."""
        return self.X_test, self.y_test

    @property
    def n_features(self) -> int:
        """Number of input features per example, the product of ``X_train.shape[1:]``."""
        return int(np.prod(self.X_train.shape[1:]))

    @property
    def n_classes(self) -> int | None:
        """Number of classes for integer targets, ``None`` for regression targets."""
        if self.y_train.is_floating_point():
            return None
        return int(max(self.y_train.max(), self.y_val.max(), self.y_test.max())) + 1

    def to(self, device) -> "DataSplits":
        """A copy with every tensor moved to ``device``.

        Parameters
        ----------
        device : str or torch.device
            Where to move the tensors, e.g. ``"cuda"``.

        Returns
        -------
        DataSplits
            The copy (the standardizer is shared, not moved).
        """
        moved = {
            f.name: getattr(self, f.name).to(device)
            for f in fields(self)
            if isinstance(getattr(self, f.name), torch.Tensor)
        }
        return replace(self, **moved)

    def subset_train(self, n: int, seed: int = 0) -> "DataSplits":
        """A copy whose training split keeps ``n`` random examples (validation and test unchanged).

        Parameters
        ----------
        n : int
            Number of training examples to keep, in ``[1, len(y_train)]``.
        seed : int, default 0
            Seed of the random choice.

        Returns
        -------
        DataSplits
            The copy.
        """
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

    Parameters
    ----------
    n : int
        Number of examples, >= 1.
    val_size, test_size : float, default 0.15
        Fractions of the whole, each in [0, 1) with ``val_size + test_size < 1``; 0 gives an empty split.
    seed : int, default 0
        Seed of the shuffles.
    stratify : numpy.ndarray, optional
        One class label per example; a class too small to appear in every split raises ``ValueError``.

    Returns
    -------
    train, val, test : numpy.ndarray
        Disjoint index arrays that together cover ``range(n)``.
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
    random_state=seed, stratify=stratify)``, bit for bit (``tests/test_data_splitting.py`` checks it), so
    that the splits do not depend on importing scikit-learn.

    Parameters
    ----------
    items : array-like
        The items to split (e.g. indices), indexed along the first axis.
    test_size : float
        Fraction of the items that go to the test part, in [0, 1); both parts must be non-empty.
    seed : int, default 0
        Seed of the ``numpy.random.RandomState`` that draws the split.
    stratify : numpy.ndarray, optional
        One class label per item; every class needs at least 2 items, and each part at least one
        item per class.

    Returns
    -------
    rest, test : numpy.ndarray
        The two parts of ``items``, each in random order.
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

    Parameters
    ----------
    X : array-like
        Inputs ``(n, ...)``, converted to float32.
    y : array-like
        Targets ``(n,)``: integer class labels, or float regression targets (a 2-D ``(n, k)`` float
        ``y`` keeps its ``k`` columns).
    name : str, default ""
        The data set's name.
    val_size, test_size : float, default 0.15
        Fractions of the whole for the validation and test splits, each in [0, 1), summing to < 1.
    seed : int, default 0
        Seed of the split.
    stratify : bool, default True
        Stratify the split by class (integer ``y`` only).
    standardize : bool, default True
        Standardise the inputs with statistics of the training split.
    standardize_dims : tuple of int, default (0,)
        Dimensions of ``X`` the mean and std are taken over (see :class:`~dlcourse.normalization.Standardizer`):
        ``(0,)`` gives one pair per feature.

    Returns
    -------
    DataSplits
        The three splits and the fitted standardizer.
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
