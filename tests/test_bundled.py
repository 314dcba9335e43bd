"""dlcourse.bundled reads scikit-learn's data files to the same arrays as ``sklearn.datasets`` (the oracle)."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn import datasets as skdatasets

from dlcourse import bundled


def test_digits_equal_sklearn():
    images, target = bundled.digits()
    bunch = skdatasets.load_digits()
    np.testing.assert_array_equal(images, bunch.images)
    np.testing.assert_array_equal(images.reshape(len(images), -1), bunch.data)
    np.testing.assert_array_equal(target, bunch.target)


def test_breast_cancer_equals_sklearn():
    X, y = bundled.breast_cancer()
    X_sk, y_sk = skdatasets.load_breast_cancer(return_X_y=True)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)


@pytest.mark.parametrize("scaled", [True, False])
def test_diabetes_equals_sklearn_bit_for_bit(scaled):
    X, y = bundled.diabetes(scaled=scaled)
    X_sk, y_sk = skdatasets.load_diabetes(return_X_y=True, scaled=scaled)
    np.testing.assert_array_equal(X, X_sk)  # exact: the scaling repeats scikit-learn's order of operations
    np.testing.assert_array_equal(y, y_sk)


@pytest.mark.parametrize("n, noise, seed", [(600, 0.2, 0), (601, 0.3, 7), (5, 0.0, 3), (1, 0.1, 1)])
def test_moons_equal_sklearn_bit_for_bit(n, noise, seed):
    X, y = bundled.moons(n, noise=noise, seed=seed)
    X_sk, y_sk = skdatasets.make_moons(n_samples=n, noise=noise, random_state=seed)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)


@pytest.mark.parametrize(
    "kwargs, error", [({"n_samples": 0}, ValueError), ({"noise": -1.0}, ValueError), ({"n_samples": 2.5}, TypeError)]
)
def test_moons_reject_bad_arguments_by_name(kwargs, error):
    name = next(iter(kwargs))
    with pytest.raises(error, match=name):
        bundled.moons(**{"n_samples": 10, **kwargs})


def test_a_missing_file_is_named():
    with pytest.raises(FileNotFoundError, match="no_such.csv"):
        bundled.data_file("no_such.csv")


def test_loading_the_course_data_does_not_import_sklearn_or_scipy():
    code = (
        "import sys, dlcourse.data as d; d.load_digits(); d.load_digits(as_images=True); d.load_breast_cancer(); "
        "d.load_diabetes(); d.make_moons(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
