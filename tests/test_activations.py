"""dlcourse.activations: the registry builds every activation by name, its modules (torch's kernel where
registered, RReLU's modes), and analyse; every registered function, through the registry, against
torch.nn.functional (forward) and autograd (derivatives), also at |x| = 1e4. (What is particular to each
module's functions is tested in tests/test_activations_<module>.py, for dlcourse/activations/<module>.py.)"""

from __future__ import annotations

import importlib
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given

from dlcourse import activations as A

from .activations_cases import TOL, autograd_derivative
from .strategies import extreme_tensor, tensors

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


def test_registry_builds_every_activation_by_name():
    x = torch.linspace(-3, 3, 7)
    for name in A.activation_names():
        module = A.get_activation(name)
        assert isinstance(module, torch.nn.Module)
        torch.testing.assert_close(module.eval()(x), A.evaluate(name, x)[0])


@pytest.mark.parametrize(
    "name,centred,sat_left,sat_right",
    [
        ("sigmoid", False, True, True),
        ("tanh", True, True, True),
        ("relu", False, True, False),
        ("leaky_relu", False, False, False),
        ("elu", False, True, False),
        ("selu", True, True, False),
        ("identity", True, False, False),
    ],
)
def test_analysis_table_reflects_known_properties(name, centred, sat_left, sat_right):
    row = A.analyse(name)
    assert row["zero-centred"] is centred
    assert row["saturates left"] is sat_left and row["saturates right"] is sat_right


@pytest.mark.parametrize(
    "name,low,high",
    [
        ("identity", -math.inf, math.inf),
        ("sigmoid", 0.0, 1.0),
        ("tanh", -1.0, 1.0),
        ("relu", 0.0, math.inf),
        ("leaky_relu", -math.inf, math.inf),
        ("elu", -1.0, math.inf),
        ("selu", -A.SELU_SCALE * A.SELU_ALPHA, math.inf),
    ],
)
def test_analysis_range_detects_unbounded_sides(name, low, high):
    row = A.analyse(name)
    assert row["min"] == pytest.approx(low, abs=1e-6) and row["max"] == pytest.approx(high, abs=1e-6)


def test_analysis_finds_the_interior_minimum_of_gelu():
    assert A.analyse("gelu")["min"] == pytest.approx(-0.16997, abs=1e-4)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: A.get_activation("swish"), ValueError, "name must be one of"),
        (lambda: A.get_activation("elu", slope=1.0), TypeError, "unexpected parameter"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("module", ["elementwise", "rectifiers", "smooth", "softmax_family"])
def test_every_public_name_of_the_function_modules_is_importable_from_activations(module):
    module = importlib.import_module(f"dlcourse.activations.{module}")
    for name in module.__all__:
        assert getattr(A, name) is getattr(module, name), name


# --------------------------------------------------------------------------- every registered function against torch
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
