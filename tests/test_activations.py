"""dlcourse.activations against torch.nn.functional (forward) and autograd (derivatives)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dlcourse import activations as A

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
    torch.testing.assert_close(A.sigmoid(x), torch.tensor([0.0, 1.0]))


@pytest.mark.parametrize("lower,upper", [(0.1, 0.3), (1 / 8, 1 / 3), (0.2, 0.2)])
def test_rrelu_training_draws_slopes_in_range_and_derivative_matches(lower, upper):
    x = torch.linspace(-5, 5, 1001)
    y = A.rrelu(x, lower, upper, training=True, generator=torch.Generator().manual_seed(3))
    neg = x < 0
    slopes = y[neg] / x[neg]
    assert slopes.min() >= lower - 1e-6 and slopes.max() <= upper + 1e-6
    torch.testing.assert_close(y[~neg], x[~neg])
    # same generator state -> same slopes -> the derivative is that draw
    g = A.rrelu_grad(x, lower, upper, training=True, generator=torch.Generator().manual_seed(3))
    xr = x.clone().requires_grad_(True)
    A.rrelu(xr, lower, upper, training=True, generator=torch.Generator().manual_seed(3)).sum().backward()
    torch.testing.assert_close(g, xr.grad)
    if upper > lower:
        assert slopes.std() > 0  # really random in training


def test_rrelu_module_follows_train_and_eval_mode():
    act = A.get_activation("rrelu", lower=0.1, upper=0.3)
    x = -torch.ones(1000)
    torch.testing.assert_close(act.eval()(x), -0.2 * torch.ones(1000))
    assert act.train()(x).std() > 0


@pytest.mark.parametrize("name", [n for n in A.activation_names() if A.get_spec(n).kernel is not None])
@given(x=tensors(shape=(4, 3, 5)))
def test_module_kernel_gives_the_function_values_and_derivative_exactly(name, x):
    """Where the module uses torch's kernel (fast training), it computes the registered formula bit for bit."""
    x = torch.cat([x.float().flatten(), torch.tensor([0.0, -0.0, 1e-30, -1e-30])])
    xr = x.clone().requires_grad_(True)
    y = A.get_activation(name)(xr)
    assert torch.equal(y, A.get_spec(name).function(x))
    y.sum().backward()
    assert torch.equal(xr.grad, A.get_spec(name).derivative(x))


def test_module_uses_the_kernel_only_with_the_default_parameters(monkeypatch):
    """A registered kernel computes the function at its defaults; other parameters go through the formula."""
    import dataclasses

    spec = A.get_spec("leaky_relu")
    monkeypatch.setitem(A.ACTIVATIONS, "leaky_relu", dataclasses.replace(spec, kernel=F.leaky_relu))
    x = torch.linspace(-2, 2, 9)
    assert A.get_activation("leaky_relu")._kernel is F.leaky_relu
    steep = A.get_activation("leaky_relu", negative_slope=0.5)
    assert steep._kernel is None
    assert torch.equal(steep(x), A.leaky_relu(x, 0.5))


@given(x=tensors(shape=(4, 3, 5)))
def test_prelu_matches_torch_module_forward_and_gradients(x):
    for num in (1, 3):
        ours, ref = A.PReLU(num, init=0.2), torch.nn.PReLU(num, init=0.2)
        xa, xb = x.clone().float().requires_grad_(True), x.clone().float().requires_grad_(True)
        ya, yb = ours(xa), ref(xb)
        torch.testing.assert_close(ya, yb, **TOL)
        g = torch.linspace(-1, 1, ya.numel()).reshape(ya.shape)
        ya.backward(g)
        yb.backward(g)
        torch.testing.assert_close(xa.grad, xb.grad, **TOL)
        torch.testing.assert_close(ours.weight.grad, ref.weight.grad, atol=1e-3, rtol=1e-5)
        w = ref.weight.detach()
        torch.testing.assert_close(A.prelu_grad(x.float(), w),
                                   autograd_derivative(lambda v, w=w: F.prelu(v, w), x.float()), **TOL)
        torch.testing.assert_close(A.prelu_weight_grad(x.float(), ours.weight.detach(), g), ref.weight.grad,
                                   atol=1e-3, rtol=1e-5)


@pytest.mark.parametrize("dim", [0, 1, -1])
@given(x=tensors(shape=(3, 4)))
def test_softmax_and_log_softmax_match_torch(dim, x):
    torch.testing.assert_close(A.softmax(x, dim), F.softmax(x, dim), **TOL)
    torch.testing.assert_close(A.log_softmax(x, dim), F.log_softmax(x, dim), atol=1e-5, rtol=1e-6)
    assert torch.isfinite(A.log_softmax(x, dim)).all()


@pytest.mark.parametrize("dim", [0, 1])
@given(x=tensors(shape=(3, 4), dtype=torch.float64), g=tensors(shape=(3, 4), dtype=torch.float64))
def test_softmax_vector_jacobian_products_match_autograd(dim, x, g):
    for ours, fn in ((A.softmax_grad, F.softmax), (A.log_softmax_grad, F.log_softmax)):
        xr = x.clone().requires_grad_(True)
        fn(xr, dim).backward(g)
        torch.testing.assert_close(ours(x, g, dim), xr.grad, atol=1e-6, rtol=1e-6)


def test_softmax_jacobian_matches_autograd():
    x = torch.tensor([0.5, -1.0, 2.0, 0.0], dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: F.softmax(v, 0), x)
    torch.testing.assert_close(A.softmax_jacobian(x), jac)


def test_softmax_of_huge_logits_is_finite():
    x = torch.tensor([[1e4, 0.0, -1e4]])
    torch.testing.assert_close(A.softmax(x), torch.tensor([[1.0, 0.0, 0.0]]))
    torch.testing.assert_close(A.log_softmax(x), torch.tensor([[0.0, -1e4, -2e4]]))


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("call,exc,match", [
    (lambda: A.sigmoid([1.0, 2.0]), TypeError, "x must be a torch.Tensor"),
    (lambda: A.relu(torch.tensor([1, 2])), TypeError, "x must be a floating-point tensor"),
    (lambda: A.leaky_relu(torch.zeros(2), negative_slope=-0.1), ValueError, "negative_slope must be >= 0"),
    (lambda: A.elu(torch.zeros(2), alpha=-1.0), ValueError, "alpha must be >= 0"),
    (lambda: A.rrelu(torch.zeros(2), lower=0.5, upper=0.1), ValueError, "lower must be <= upper"),
    (lambda: A.softplus(torch.zeros(2), beta=0.0), ValueError, "beta must be > 0"),
    (lambda: A.gelu(torch.zeros(2), approximate="fast"), ValueError, "approximate must be one of"),
    (lambda: A.softmax(torch.zeros(2, 3), dim=2), ValueError, "dim=2 is out of range"),
    (lambda: A.log_softmax(torch.zeros(2, 3), dim=-3), ValueError, "dim=-3 is out of range"),
    (lambda: A.softmax(torch.zeros(2, 3), dim=1.0), TypeError, "dim must be an int"),
    (lambda: A.get_activation("swish"), ValueError, "name must be one of"),
    (lambda: A.get_activation("elu", slope=1.0), TypeError, "unexpected parameter"),
    (lambda: A.PReLU(0), ValueError, "num_parameters must be >= 1"),
    (lambda: A.prelu(torch.zeros(2, 3), torch.ones(2)), ValueError, "x.shape\\[1\\] == weight.numel"),
    (lambda: A.softmax_jacobian(torch.zeros(2, 2)), ValueError, "x must be 1-D"),
])
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_registry_builds_every_activation_by_name():
    x = torch.linspace(-3, 3, 7)
    for name in A.activation_names():
        module = A.get_activation(name)
        assert isinstance(module, torch.nn.Module)
        torch.testing.assert_close(module.eval()(x), A.evaluate(name, x)[0])


@pytest.mark.parametrize("name,centred,sat_left,sat_right", [
    ("sigmoid", False, True, True), ("tanh", True, True, True), ("relu", False, True, False),
    ("leaky_relu", False, False, False), ("elu", False, True, False), ("selu", True, True, False),
    ("identity", True, False, False),
])
def test_analysis_table_reflects_known_properties(name, centred, sat_left, sat_right):
    row = A.analyse(name)
    assert row["zero-centred"] is centred
    assert row["saturates left"] is sat_left and row["saturates right"] is sat_right


@given(st.floats(min_value=0.0, max_value=3.0))
def test_leaky_relu_parameter_is_honoured(alpha):
    x = torch.tensor([-2.0, 3.0])
    torch.testing.assert_close(A.leaky_relu(x, alpha), torch.tensor([-2.0 * alpha, 3.0]))


@pytest.mark.parametrize("name,low,high", [
    ("identity", -math.inf, math.inf), ("sigmoid", 0.0, 1.0), ("tanh", -1.0, 1.0), ("relu", 0.0, math.inf),
    ("leaky_relu", -math.inf, math.inf), ("elu", -1.0, math.inf), ("selu", -A.SELU_SCALE * A.SELU_ALPHA, math.inf),
])
def test_analysis_range_detects_unbounded_sides(name, low, high):
    row = A.analyse(name)
    assert row["min"] == pytest.approx(low, abs=1e-6) and row["max"] == pytest.approx(high, abs=1e-6)


def test_analysis_finds_the_interior_minimum_of_gelu():
    assert A.analyse("gelu")["min"] == pytest.approx(-0.16997, abs=1e-4)
