"""scikit-learn's bundled data sets, read from its package files without importing scikit-learn.

The course's data ship inside scikit-learn (nothing is downloaded), but importing scikit-learn
costs about 1.2 s (it imports SciPy's statistics), once in every kernel that loads a data set:
a sixth of a short chapter's time. These readers open the same files and return the same arrays,
bit for bit, as ``sklearn.datasets`` (``tests/test_bundled.py`` compares them), so every stored
split and every stored output stays as it was.

Examples
--------
>>> images, target = digits()
>>> images.shape, target[:5].tolist()
((1797, 8, 8), [0, 1, 2, 3, 4])
>>> X, y = moons(6, noise=0.0, seed=0)
>>> X.shape, sorted(y.tolist())
((6, 2), [0, 0, 0, 1, 1, 1])
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
from pathlib import Path

import numpy as np

from ._checks import check_nonnegative, check_positive_int

__all__ = ["data_file", "digits", "breast_cancer", "diabetes", "moons"]


def data_file(name: str) -> Path:
    """The path of ``name`` in ``sklearn/datasets/data/``, found without importing scikit-learn.

    Parameters
    ----------
    name : str
        File name inside ``sklearn/datasets/data/``, e.g. ``"digits.csv.gz"``.

    Returns
    -------
    pathlib.Path
        The file's path.

    Raises
    ------
    ModuleNotFoundError
        When scikit-learn is not installed.
    FileNotFoundError
        When the file is not there.
    """
    spec = importlib.util.find_spec("sklearn")  # a top-level package: found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "scikit-learn is not installed; the course's data sets ship inside it (pip install scikit-learn)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / name
    if not path.is_file():
        raise FileNotFoundError(f"scikit-learn's bundled data file {name!r} is missing: {path}")
    return path


def _gzip_csv(name: str, **kwargs) -> np.ndarray:
    with gzip.open(data_file(name), mode="rt", encoding="utf-8") as f:
        return np.loadtxt(f, **kwargs)


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits: ``(images, target)``, float64 ``(n, 8, 8)`` grey levels 0–16, int labels.

    ``images.reshape(n, 64)`` is ``sklearn.datasets.load_digits().data``.

    Returns
    -------
    images : numpy.ndarray
        float64 grey levels 0-16, shape ``(1797, 8, 8)``.
    target : numpy.ndarray
        int labels 0-9, shape ``(1797,)``.
    """
    table = _gzip_csv("digits.csv.gz", delimiter=",")
    return table[:, :-1].reshape(-1, 8, 8), table[:, -1].astype(int)


def breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """Wisconsin breast cancer: ``(X, y)``, float64 ``(569, 30)`` and int labels (0 = malignant, 1 = benign).

    Returns
    -------
    X : numpy.ndarray
        float64 features, shape ``(569, 30)``.
    y : numpy.ndarray
        int labels, shape ``(569,)``: 0 = malignant, 1 = benign.
    """
    with open(data_file("breast_cancer.csv"), encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        n_samples, n_features = int(header[0]), int(header[1])
        X = np.empty((n_samples, n_features))
        y = np.empty((n_samples,), dtype=int)
        for i, row in enumerate(rows):
            X[i] = np.asarray(row[:-1], dtype=np.float64)
            y[i] = int(row[-1])
    return X, y


def diabetes(*, scaled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    r"""Diabetes progression: ``(X, y)``, float64 ``(442, 10)`` and the float target.

    ``scaled=True`` gives scikit-learn's pre-scaled columns: each centred and divided by its
    standard deviation times :math:`\sqrt{n}` (so each column has unit Euclidean norm), computed
    in the same order of operations as ``sklearn.preprocessing.scale``.

    Parameters
    ----------
    scaled : bool, default True
        Pre-scaled columns (``sklearn.datasets.load_diabetes().data``); ``False`` gives the raw
        features in their original units (``load_diabetes(scaled=False)``).

    Returns
    -------
    X : numpy.ndarray
        float64 features, shape ``(442, 10)``.
    y : numpy.ndarray
        float64 target (disease progression one year later), shape ``(442,)``.
    """
    X = _gzip_csv("diabetes_data_raw.csv.gz")
    y = _gzip_csv("diabetes_target.csv.gz")
    if scaled:
        mean, std = np.nanmean(X, axis=0), np.nanstd(X, axis=0)
        X -= mean
        residual = np.nanmean(X, axis=0)
        if not np.allclose(residual, 0):  # scikit-learn's second centring step (not taken for this data)
            X -= residual
        std[std < 10 * np.finfo(std.dtype).eps] = 1.0
        X /= std
        residual = np.nanmean(X, axis=0)
        if not np.allclose(residual, 0):
            X -= residual
        X /= X.shape[0] ** 0.5
    return X, y


def moons(n_samples: int = 100, *, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``(X, y)``, shuffled, with Gaussian noise of std ``noise``.

    The same draws as ``sklearn.datasets.make_moons(n_samples, noise=noise, random_state=seed)``:
    one ``numpy.random.RandomState(seed)`` shuffles the points, then adds the noise.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points, >= 1: ``n_samples // 2`` on the outer moon (class 0), the rest on the inner one (class 1).
    noise : float, default 0.0
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    seed : int, default 0
        Seed of the shuffle and the noise.

    Returns
    -------
    X : numpy.ndarray
        float64 points, shape ``(n_samples, 2)``.
    y : numpy.ndarray
        Integer labels 0/1 (dtype ``numpy.intp``), shape ``(n_samples,)``.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    noise = check_nonnegative(noise, "noise")
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(outer), 1 - np.cos(inner)), np.append(np.sin(outer), 1 - np.sin(inner) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    rng = np.random.RandomState(seed)
    order = np.arange(n_samples)
    rng.shuffle(order)
    X, y = X[order], y[order]
    X += rng.normal(scale=noise, size=X.shape)
    return X, y
