"""dlcourse.init.schemes: the Glorot, He and LeCun bounds and variances equal their formulas."""

import math

import pytest
import torch
from hypothesis import given, settings

from dlcourse import init

from .strategies import weight_shapes


@settings(max_examples=25, deadline=None)
@given(shape=weight_shapes)
def test_bounds_and_stds_equal_the_formulas(shape):
    w = torch.empty(shape)
    fi, fo = init.compute_fans(w)
    g = torch.Generator().manual_seed(1)
    r = math.sqrt(6.0 / (fi + fo))  # the correct Glorot bound (not sqrt(6) / (fi + fo))
    assert init.xavier_uniform_(w, generator=g).abs().max() <= r * (1 + 1e-6)
    assert init.he_uniform_(w, generator=g).abs().max() <= math.sqrt(6.0 / fi) * (1 + 1e-6)
    assert init.lecun_uniform_(w, generator=g).abs().max() <= math.sqrt(3.0 / fi) * (1 + 1e-6)


# target variance of each scheme for a (fan_out=1000, fan_in=1000) weight
TARGETS = {
    "xavier_uniform": (init.xavier_uniform_, 1 / 1000),
    "xavier_normal": (init.xavier_normal_, 1 / 1000),
    "he_uniform": (init.he_uniform_, 2 / 1000),
    "he_normal": (init.he_normal_, 2 / 1000),
    "lecun_uniform": (init.lecun_uniform_, 1 / 1000),
    "lecun_normal": (init.lecun_normal_, 1 / 1000),
    "normal": (init.normal_, 1.0),
}


@pytest.mark.parametrize("name", TARGETS)
def test_sample_variance_of_a_million_draws_is_within_2_percent(name):
    fn, target = TARGETS[name]
    w = fn(torch.empty(1000, 1000), generator=torch.Generator().manual_seed(7))
    assert abs(w.var().item() / target - 1) < 0.02
    assert abs(w.mean().item()) < 0.01 * math.sqrt(target)


def test_xavier_bound_uses_the_corrected_formula():
    w = init.xavier_uniform_(torch.empty(200, 100), generator=torch.Generator().manual_seed(0))
    correct, erratum = math.sqrt(6 / 300), math.sqrt(6) / 300
    assert erratum < w.abs().max().item() <= correct
    assert w.abs().max().item() > 0.99 * correct
