r"""Data splits: train / validation / test by ratios, by group, k-fold, and train-dev.

Every function returns NumPy index arrays (index your tensors with them) and is
deterministic given ``seed``. Ratios are fractions of the whole and must sum to 1, e.g.
``(0.7, 0.15, 0.15)`` for a few thousand examples or ``(0.98, 0.01, 0.01)`` for millions.

Examples
--------
>>> tr, va, te = train_val_test_split(100, ratios=(0.6, 0.2, 0.2), seed=0)
>>> len(tr), len(va), len(te)
(60, 20, 20)
>>> folds = kfold(10, k=5, seed=0)
>>> [len(val) for _, val in folds]
[2, 2, 2, 2, 2]
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_number, check_positive_int, check_probability
from .data import split_indices

__all__ = [
    "check_ratios",
    "train_val_test_split",
    "group_split",
    "kfold",
    "stratified_kfold",
    "train_dev_split",
    "leaking_groups",
    "make_grouped",
]


def check_ratios(ratios, name: str = "ratios") -> tuple[float, float, float]:
    """Three fractions ``(train, val, test)``, each in [0, 1), train > 0, summing to 1 (± 1e-9).

    Parameters
    ----------
    ratios : tuple or list
        Three finite real numbers, all >= 0, ``train > 0``, summing to 1; so ``val`` and ``test`` are
        < 1, while ``train`` may be 1 (``(1, 0, 0)`` is accepted).
    name : str, default "ratios"
        The argument's name, used in error messages.

    Returns
    -------
    tuple of float
        The fractions as floats.

    Raises
    ------
    TypeError
        When ``ratios`` is not a tuple or list of three real numbers.
    ValueError
        When a fraction is negative or not finite, ``train`` is 0, or the sum is not 1.
    """
    if not isinstance(ratios, (tuple, list)) or len(ratios) != 3:
        raise TypeError(f"{name} must be a (train, val, test) triple, got {ratios!r}")
    values = tuple(check_number(r, f"{name}[{i}]") for i, r in enumerate(ratios))
    if any(v < 0 for v in values) or values[0] <= 0:
        raise ValueError(f"{name} must be non-negative with a positive training share, got {values}")
    if not math.isclose(sum(values), 1.0, abs_tol=1e-9):
        raise ValueError(f"{name} must sum to 1, got {values} (sum {sum(values):.6g})")
    return values


def _n_and_labels(n_or_labels, name: str):
    if isinstance(n_or_labels, (int, np.integer)) and not isinstance(n_or_labels, bool):
        return check_positive_int(int(n_or_labels), name), None
    labels = np.asarray(n_or_labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"{name} must be a positive int or a non-empty 1-D array, got shape {labels.shape}")
    return len(labels), labels


def train_val_test_split(
    n_or_labels, *, ratios=(0.7, 0.15, 0.15), stratify: bool = True, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffled train / validation / test indices with the given ``ratios``.

    Pass a count ``n``, or the class labels (then, with ``stratify``, each split keeps the
    class proportions of the whole: a 10 % class is 10 % of every split, up to rounding).
    Built on :func:`dlcourse.data.split_indices`, which the data loaders use.

    Parameters
    ----------
    n_or_labels : int or array-like
        The number of examples (>= 1), or their class labels, a non-empty 1-D array.
    ratios : tuple or list of 3 floats, default (0.7, 0.15, 0.15)
        ``(train, val, test)`` fractions, checked by :func:`check_ratios`.
    stratify : bool, default True
        Keep the class proportions in every split (only when labels are given).
    seed : int, default 0
        Seed of the shuffles.

    Returns
    -------
    train, val, test : numpy.ndarray
        Disjoint index arrays that together cover ``range(n)``.
    """
    n, labels = _n_and_labels(n_or_labels, "n_or_labels")
    _, val, test = check_ratios(ratios)
    return split_indices(
        n, val_size=val, test_size=test, seed=seed, stratify=labels if (stratify and labels is not None) else None
    )


def group_split(groups, *, ratios=(0.7, 0.15, 0.15), seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train / validation / test indices such that no group appears in two splits.

    ``groups[i]`` names the group of example ``i`` (a patient, a writer, a recording
    session). Groups are shuffled with ``seed`` and dealt out whole, in that order, to the
    split whose share of *examples* is furthest below its target ratio — so the ratios hold
    approximately (exactly when all groups have the same size and the counts divide).

    Parameters
    ----------
    groups : array-like
        The group of each example, a non-empty 1-D array.
    ratios : tuple or list of 3 floats, default (0.7, 0.15, 0.15)
        ``(train, val, test)`` fractions, checked by :func:`check_ratios`.
    seed : int, default 0
        Seed of the order in which the groups are dealt out.

    Returns
    -------
    train, val, test : numpy.ndarray
        Sorted, disjoint index arrays that together cover every example.
    """
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.size == 0:
        raise ValueError(f"groups must be a non-empty 1-D array, got shape {groups.shape}")
    targets = np.array(check_ratios(ratios)) * len(groups)
    names, inverse, sizes = np.unique(groups, return_inverse=True, return_counts=True)
    order = np.random.default_rng(seed).permutation(len(names))
    filled = np.zeros(3)
    assignment = np.empty(len(names), dtype=np.int64)
    for g in order:
        deficit = (targets - filled) / np.maximum(targets, 1e-12)
        deficit[targets == 0] = -np.inf
        split = int(np.argmax(deficit))
        assignment[g] = split
        filled[split] += sizes[g]
    example_split = assignment[inverse]
    return tuple(np.sort(np.nonzero(example_split == s)[0]) for s in range(3))


def kfold(n: int, *, k: int = 5, shuffle: bool = True, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train, validation) index pairs; every example is in exactly one validation fold.

    Fold sizes differ by at most one (the first ``n % k`` folds get the extra example), as in
    scikit-learn's ``KFold``. Cross-validation trains ``k`` models and averages their
    validation scores: every example is used for validation once, which matters when data are few.

    Parameters
    ----------
    n : int
        Number of examples, >= 1.
    k : int, default 5
        Number of folds, in ``[2, n]``.
    shuffle : bool, default True
        Shuffle the examples before cutting the folds; ``False`` gives contiguous folds.
    seed : int, default 0
        Seed of the shuffle.

    Returns
    -------
    list of tuple of numpy.ndarray
        ``k`` pairs ``(train, val)`` of sorted index arrays.
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k")
    if k < 2 or k > n:
        raise ValueError(f"k must be between 2 and n={n}, got {k}")
    idx = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    bounds = np.r_[0, np.cumsum(sizes)]
    folds = []
    for i in range(k):
        val = idx[bounds[i] : bounds[i + 1]]
        folds.append((np.sort(np.r_[idx[: bounds[i]], idx[bounds[i + 1] :]]), np.sort(val)))
    return folds


def stratified_kfold(labels, *, k: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Like :func:`kfold`, but each validation fold keeps the class proportions of ``labels``.

    The examples of each class are shuffled and dealt to the folds in turn (continuing
    where the previous class stopped), so every class is spread as evenly as possible.

    Parameters
    ----------
    labels : array-like
        The class of each example, a non-empty 1-D array.
    k : int, default 5
        Number of folds, in ``[2, len(labels)]``.
    seed : int, default 0
        Seed of the shuffles.

    Returns
    -------
    list of tuple of numpy.ndarray
        ``k`` pairs ``(train, val)`` of sorted index arrays.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
    k = check_positive_int(k, "k")
    if k < 2 or k > len(labels):
        raise ValueError(f"k must be between 2 and len(labels)={len(labels)}, got {k}")
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(labels), dtype=np.int64)
    start = 0
    for c in np.unique(labels):
        members = rng.permutation(np.nonzero(labels == c)[0])
        fold_of[members] = (start + np.arange(len(members))) % k
        start = (start + len(members)) % k
    return [(np.nonzero(fold_of != i)[0], np.nonzero(fold_of == i)[0]) for i in range(k)]


def train_dev_split(train_indices, *, dev_size: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Carve a *train-dev* set out of the training indices: same distribution as training, never trained on.

    When validation data come from another distribution than training data (e.g. the
    real-life data you care about), the gaps train → train-dev → validation separate
    *variance* (the model does not generalise even within the training distribution) from
    *data mismatch* (it generalises, but to the wrong distribution).

    Parameters
    ----------
    train_indices : array-like
        The training indices, a 1-D array of at least 2.
    dev_size : float, default 0.1
        Fraction that goes to train-dev, in [0, 1); rounded, and at least one index.
    seed : int, default 0
        Seed of the random choice.

    Returns
    -------
    train, dev : numpy.ndarray
        The remaining training indices and the train-dev indices, each sorted.
    """
    train_indices = np.asarray(train_indices)
    if train_indices.ndim != 1 or train_indices.size < 2:
        raise ValueError(f"train_indices must be a 1-D array of at least 2 indices, got shape {train_indices.shape}")
    dev_size = check_probability(dev_size, "dev_size", allow_one=False)
    n_dev = max(1, int(round(dev_size * len(train_indices))))
    perm = np.random.default_rng(seed).permutation(len(train_indices))
    return np.sort(train_indices[perm[n_dev:]]), np.sort(train_indices[perm[:n_dev]])


def leaking_groups(groups, *splits) -> set:
    """The groups that occur in more than one of ``splits`` (index arrays); empty means no leakage.

    Parameters
    ----------
    groups : array-like
        The group of each example.
    *splits : array-like of int
        Index arrays into ``groups``, e.g. ``train, val, test``.

    Returns
    -------
    set
        The leaking groups.
    """
    groups = np.asarray(groups)
    seen = [set(groups[np.asarray(s, dtype=np.int64)].tolist()) for s in splits]
    return {g for i, a in enumerate(seen) for b in seen[i + 1 :] for g in a & b}


def make_grouped(
    X, y, *, copies: int = 5, noise: float = 0.1, flip: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grouped data from ``(X, y)``: each example becomes a group of ``copies`` noisy measurements.

    Like several scans of the same patient: copies differ by Gaussian noise of standard
    deviation ``noise`` (times each feature's std) and share one label. With ``flip``, that
    fraction of the *groups* gets a wrong label (consistently across its copies) — something a
    model can only "predict" for a group it has already seen.

    Parameters
    ----------
    X : array-like
        Features of shape ``(n, d)``.
    y : array-like
        Integer class labels ``0 .. C - 1``, shape ``(n,)``.
    copies : int, default 5
        Measurements per example, >= 1.
    noise : float, default 0.1
        Noise standard deviation, in units of each feature's std.
    flip : float, default 0.0
        Probability, in [0, 1], that a group's label is replaced by another class (drawn uniformly).
    seed : int, default 0
        Seed of the flips and the noise.

    Returns
    -------
    X, y, groups : numpy.ndarray
        Returns ``X, y, groups``: float32 features ``(n * copies, d)``, labels ``(n * copies,)`` and
        the group of each row (the index of the original example; a group's copies are adjacent).
    """
    X, y = np.asarray(X, dtype=np.float32), np.asarray(y)
    copies = check_positive_int(copies, "copies")
    noise = check_number(noise, "noise")
    flip = check_probability(flip, "flip")
    rng = np.random.default_rng(seed)
    y = y.copy()
    flipped = rng.random(len(y)) < flip
    n_classes = int(y.max()) + 1
    y[flipped] = (y[flipped] + rng.integers(1, n_classes, flipped.sum())) % n_classes
    scale = X.std(axis=0, keepdims=True)
    Xg = np.repeat(X, copies, axis=0) + rng.normal(size=(len(X) * copies, X.shape[1])) * noise * scale
    return Xg.astype(np.float32), np.repeat(y, copies), np.repeat(np.arange(len(X)), copies)
