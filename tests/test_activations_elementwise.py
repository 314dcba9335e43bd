"""dlcourse.activations.elementwise against torch.nn.functional (forward) and autograd (derivatives),
also at |x| = 1e4; PReLU against torch.nn.PReLU; SELU's moment map against Monte Carlo."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dlcourse import activations as A
from dlcourse.activations import elementwise as E

from .strategies import extreme_tensor, tensors

TOL = dict(atol=1e-6, rtol=1e-6)
# name -> (course function kwargs, torch oracle taking the same x)
ORACLES = {
    "identity": ({}, lambda x: x),
    "sigmoid": ({}, torch.sigmoid),
    "tanh": ({}, torch.tanh),
    "relu": ({}, F.relu),
    "leaky_relu": ({"negative_slope": 0.2}, lambda x: F.leaky_relu(x, 0.2)),
    "rrelu": ({"lower": 0.1, "upper": 0.3}, lambda x: F.rrelu(x, 0.1, 0.3, training=False)),
    "elu": ({"alpha": 0.7}, lambda x: F.elu(x, 0.7)),
    "selu": ({}, F.selu),
    "gelu": ({}, F.gelu),
    "softplus": ({}, F.softplus),
}
GELU_TANH = ({"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh"))
SOFTPLUS_BETA = ({"beta": 2.0, "threshold": 10.0}, lambda x: F.softplus(x, beta=2.0, threshold=10.0))
ALL_CASES = [(n, *ORACLES[n]) for n in ORACLES] + [("gelu", *GELU_TANH), ("softplus", *SOFTPLUS_BETA)]
CASE_IDS = [f"{n}{'-' + '-'.join(map(str, kw.values())) if kw else ''}" for n, kw, _ in ALL_CASES]


def autograd_derivative(fn, x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(x).sum(), x)
    return grad


@pytest.mark.parametrize("name,kwargs,oracle", ALL_CASES, ids=CASE_IDS)
@given(x=tensors())
def test_forward_matches_torch(name, kwargs, oracle, x):
    torch.testing.assert_close(A.get_spec(name).function(x, **kwargs), oracle(x), **TOL)


@pytest.mark.parametrize("name,kwargs,oracle", ALL_CASES, ids=CASE_IDS)
@given(x=tensors())
def test_derivative_matches_autograd_of_torch(name, kwargs, oracle, x):
    torch.testing.assert_close(A.get_spec(name).derivative(x, **kwargs), autograd_derivative(oracle, x), **TOL)


@pytest.mark.parametrize("name,kwargs,oracle", ALL_CASES, ids=CASE_IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_extremes_are_finite_and_exact(name, kwargs, oracle, dtype):
    x = extreme_tensor(dtype)
    spec = A.get_spec(name)
    y, dy = spec.function(x, **kwargs), spec.derivative(x, **kwargs)
    assert torch.isfinite(y).all() and torch.isfinite(dy).all()
    torch.testing.assert_close(y, oracle(x), **TOL)
    torch.testing.assert_close(dy, autograd_derivative(oracle, x), **TOL)


@pytest.mark.parametrize("name", A.activation_names())
def test_gradients_through_course_functions_are_finite_at_extremes(name):
    """The hidden half of every torch.where must not produce inf: that would give NaN gradients."""
    x = extreme_tensor().requires_grad_(True)
    y, _ = A.evaluate(name, x)
    y.sum().backward()
    assert torch.isfinite(x.grad).all(), name


def test_sigmoid_is_stable_where_the_naive_formula_fails():
    x = torch.tensor([-1e4, 1e4])
    naive = torch.exp(x) / (1 + torch.exp(x))  # inf / inf = nan at +1e4
    assert torch.isnan(naive).any()
    torch.testing.assert_close(E.sigmoid(x), torch.tensor([0.0, 1.0]))


@pytest.mark.parametrize("lower,upper", [(0.1, 0.3), (1 / 8, 1 / 3), (0.2, 0.2)])
def test_rrelu_training_draws_slopes_in_range_and_derivative_matches(lower, upper):
    x = torch.linspace(-5, 5, 1001)
    y = E.rrelu(x, lower, upper, training=True, generator=torch.Generator().manual_seed(3))
    neg = x < 0
    slopes = y[neg] / x[neg]
    assert slopes.min() >= lower - 1e-6 and slopes.max() <= upper + 1e-6
    torch.testing.assert_close(y[~neg], x[~neg])
    # same generator state -> same slopes -> the derivative is that draw
    g = E.rrelu_grad(x, lower, upper, training=True, generator=torch.Generator().manual_seed(3))
    xr = x.clone().requires_grad_(True)
    E.rrelu(xr, lower, upper, training=True, generator=torch.Generator().manual_seed(3)).sum().backward()
    torch.testing.assert_close(g, xr.grad)
    if upper > lower:
        assert slopes.std() > 0  # really random in training


@given(x=tensors(shape=(4, 3, 5)))
def test_prelu_matches_torch_module_forward_and_gradients(x):
    for num in (1, 3):
        ours, ref = E.PReLU(num, init=0.2), torch.nn.PReLU(num, init=0.2)
        xa, xb = x.clone().float().requires_grad_(True), x.clone().float().requires_grad_(True)
        ya, yb = ours(xa), ref(xb)
        torch.testing.assert_close(ya, yb, **TOL)
        g = torch.linspace(-1, 1, ya.numel()).reshape(ya.shape)
        ya.backward(g)
        yb.backward(g)
        torch.testing.assert_close(xa.grad, xb.grad, **TOL)
        torch.testing.assert_close(ours.weight.grad, ref.weight.grad, atol=1e-3, rtol=1e-5)
        w = ref.weight.detach()
        torch.testing.assert_close(
            E.prelu_grad(x.float(), w), autograd_derivative(lambda v, w=w: F.prelu(v, w), x.float()), **TOL
        )
        torch.testing.assert_close(
            E.prelu_weight_grad(x.float(), ours.weight.detach(), g), ref.weight.grad, atol=1e-3, rtol=1e-5
        )


@given(st.floats(min_value=0.0, max_value=3.0))
def test_leaky_relu_parameter_is_honoured(alpha):
    x = torch.tensor([-2.0, 3.0])
    torch.testing.assert_close(E.leaky_relu(x, alpha), torch.tensor([-2.0 * alpha, 3.0]))


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
        (lambda: E.sigmoid([1.0, 2.0]), TypeError, "x must be a torch.Tensor"),
        (lambda: E.relu(torch.tensor([1, 2])), TypeError, "x must be a floating-point tensor"),
        (lambda: E.leaky_relu(torch.zeros(2), negative_slope=-0.1), ValueError, "negative_slope must be >= 0"),
        (lambda: E.elu(torch.zeros(2), alpha=-1.0), ValueError, "alpha must be >= 0"),
        (lambda: E.rrelu(torch.zeros(2), lower=0.5, upper=0.1), ValueError, "lower must be <= upper"),
        (lambda: E.softplus(torch.zeros(2), beta=0.0), ValueError, "beta must be > 0"),
        (lambda: E.gelu(torch.zeros(2), approximate="fast"), ValueError, "approximate must be one of"),
        (lambda: E.PReLU(0), ValueError, "num_parameters must be >= 1"),
        (lambda: E.prelu(torch.zeros(2, 3), torch.ones(2)), ValueError, "x.shape\\[1\\] == weight.numel"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
