"""dlcourse.activations.rectifiers: RReLU's random slopes and their derivative, PReLU against torch.nn.PReLU,
leaky ReLU's slope; bad arguments. (Every registered function against torch.nn.functional and autograd:
tests/test_activations.py.)"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dlcourse.activations import rectifiers as E

from .activations_cases import TOL, autograd_derivative
from .strategies import tensors


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
    "call,exc,match",
    [
        (lambda: E.relu(torch.tensor([1, 2])), TypeError, "x must be a floating-point tensor"),
        (lambda: E.leaky_relu(torch.zeros(2), negative_slope=-0.1), ValueError, "negative_slope must be >= 0"),
        (lambda: E.rrelu(torch.zeros(2), lower=0.5, upper=0.1), ValueError, "lower must be <= upper"),
        (lambda: E.PReLU(0), ValueError, "num_parameters must be >= 1"),
        (lambda: E.prelu(torch.zeros(2, 3), torch.ones(2)), ValueError, "x.shape\\[1\\] == weight.numel"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
