"""dlcourse.activations.smooth: SELU's moment map against Monte Carlo, its fixed point; bad arguments.
(Every registered function against torch.nn.functional and autograd: tests/test_activations.py.)"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from dlcourse.activations import smooth as E


@pytest.mark.parametrize(
    "mean, var, omega, tau", [(0.0, 1.0, 0.0, 1.0), (0.3, 2.0, 1.0, 1.0), (-0.5, 0.3, 2.0, 0.5), (1.0, 3.0, -1.0, 2.0)]
)
def test_selu_moments_match_monte_carlo_of_torch_selu(mean, var, omega, tau):
    """Oracle: F.selu on 4 million float64 draws of z ~ N(mean·omega, var·tau)."""
    g = torch.Generator().manual_seed(0)
    z = torch.randn(4_000_000, generator=g, dtype=torch.float64) * math.sqrt(var * tau) + mean * omega
    y = F.selu(z)
    ours = E.selu_moments(mean, var, omega=omega, tau=tau)
    assert ours[0] == pytest.approx(y.mean().item(), abs=3e-3)
    assert ours[1] == pytest.approx(y.var().item(), rel=3e-3)


def test_selu_moments_have_the_fixed_point_zero_one_and_it_attracts():
    assert E.selu_moments(0.0, 1.0) == pytest.approx((0.0, 1.0), abs=1e-12)
    mean, var = 1.0, 3.0
    for _ in range(60):
        mean, var = E.selu_moments(mean, var, omega=0.1)
    assert (mean, var) == pytest.approx((0.0, 1.0), abs=1e-3)


@pytest.mark.parametrize(
    "kwargs, error, name",
    [({"var": 0.0}, ValueError, "var"), ({"tau": -1.0}, ValueError, "tau"), ({"mean": "0"}, TypeError, "mean")],
)
def test_selu_moments_reject_bad_arguments_by_name(kwargs, error, name):
    with pytest.raises(error, match=name):
        E.selu_moments(**{"mean": 0.0, "var": 1.0, **kwargs})


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: E.elu(torch.zeros(2), alpha=-1.0), ValueError, "alpha must be >= 0"),
        (lambda: E.softplus(torch.zeros(2), beta=0.0), ValueError, "beta must be > 0"),
        (lambda: E.gelu(torch.zeros(2), approximate="fast"), ValueError, "approximate must be one of"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
