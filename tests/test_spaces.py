"""dlcourse.spaces: exact grids, log-uniform sampling, the tuning module's re-exports, errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from dlcourse import spaces as S


def test_grid_enumerates_the_cartesian_product_exactly():
    space = {
        "lr": S.loguniform(1e-4, 1e-2),
        "act": ["relu", "tanh"],
        "depth": S.integer(1, 3),
        "p": S.uniform(0.0, 0.5),
    }
    points = S.grid(space, points=3)
    assert len(points) == 3 * 2 * 3 * 3
    assert len({tuple(sorted(p.items())) for p in points}) == len(points)
    assert sorted({p["lr"] for p in points}) == pytest.approx([1e-4, 1e-3, 1e-2])
    assert sorted({p["p"] for p in points}) == pytest.approx([0.0, 0.25, 0.5])
    assert sorted({p["depth"] for p in points}) == [1, 2, 3]


def test_sample_is_reproducible_and_stays_in_the_space():
    space = S.check_space({"lr": S.loguniform(1e-5, 1), "act": ["relu", "tanh"], "width": S.integer(8, 256, log=True)})
    a = [S.sample(space, np.random.default_rng(3)) for _ in range(2)]
    assert a[0] == a[1] and 8 <= a[0]["width"] <= 256 and a[0]["act"] in ("relu", "tanh")


def test_loguniform_samples_are_uniform_in_the_logarithm():
    rng = np.random.default_rng(0)
    dim = S.loguniform(1e-5, 1e-1)
    x = np.array([dim.sample(rng) for _ in range(4000)])
    assert x.min() >= 1e-5 and x.max() <= 1e-1
    # log10(x) ~ U(-5, -1): Kolmogorov-Smirnov against that uniform, and one decade per quarter of samples
    assert stats.kstest(np.log10(x), stats.uniform(loc=-5, scale=4).cdf).pvalue > 0.01
    per_decade = np.histogram(np.log10(x), bins=[-5, -4, -3, -2, -1])[0] / len(x)
    assert per_decade == pytest.approx([0.25] * 4, abs=0.03)
    # and a plain uniform on the same interval would put ~90% in the top decade
    u = S.uniform(1e-5, 1e-1)
    assert np.mean(np.array([u.sample(rng) for _ in range(2000)]) > 1e-2) > 0.85


@pytest.mark.parametrize(
    "call, exc, first_word",
    [
        (lambda: S.grid({}), ValueError, "space"),
        (lambda: S.loguniform(0, 1), ValueError, "low"),
        (lambda: S.uniform(2, 1), ValueError, "high"),
        (lambda: S.integer(1.5, 3), TypeError, "low"),
        (lambda: S.categorical([]), ValueError, "choices"),
        (lambda: S.check_space({"lr": 0.1}), TypeError, "space"),
    ],
)
def test_bad_arguments_name_the_argument(call, exc, first_word):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(first_word)


def test_the_names_notebooks_call_stay_in_tuning():
    from dlcourse import tuning

    for name in S.__all__:
        assert getattr(tuning, name) is getattr(S, name)
