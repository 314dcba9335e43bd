"""dlcourse.activations.softmax_family against torch.nn.functional (forward) and autograd (Jacobian and
vector-Jacobian products)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given

from dlcourse.activations import softmax_family as S

from .strategies import tensors

TOL = dict(atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("dim", [0, 1, -1])
@given(x=tensors(shape=(3, 4)))
def test_softmax_and_log_softmax_match_torch(dim, x):
    torch.testing.assert_close(S.softmax(x, dim), F.softmax(x, dim), **TOL)
    torch.testing.assert_close(S.log_softmax(x, dim), F.log_softmax(x, dim), atol=1e-5, rtol=1e-6)
    assert torch.isfinite(S.log_softmax(x, dim)).all()


@pytest.mark.parametrize("dim", [0, 1])
@given(x=tensors(shape=(3, 4), dtype=torch.float64), g=tensors(shape=(3, 4), dtype=torch.float64))
def test_softmax_vector_jacobian_products_match_autograd(dim, x, g):
    for ours, fn in ((S.softmax_grad, F.softmax), (S.log_softmax_grad, F.log_softmax)):
        xr = x.clone().requires_grad_(True)
        fn(xr, dim).backward(g)
        torch.testing.assert_close(ours(x, g, dim), xr.grad, atol=1e-6, rtol=1e-6)


def test_softmax_jacobian_matches_autograd():
    x = torch.tensor([0.5, -1.0, 2.0, 0.0], dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: F.softmax(v, 0), x)
    torch.testing.assert_close(S.softmax_jacobian(x), jac)


def test_softmax_of_huge_logits_is_finite():
    x = torch.tensor([[1e4, 0.0, -1e4]])
    torch.testing.assert_close(S.softmax(x), torch.tensor([[1.0, 0.0, 0.0]]))
    torch.testing.assert_close(S.log_softmax(x), torch.tensor([[0.0, -1e4, -2e4]]))


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: S.softmax(torch.zeros(2, 3), dim=2), ValueError, "dim=2 is out of range"),
        (lambda: S.log_softmax(torch.zeros(2, 3), dim=-3), ValueError, "dim=-3 is out of range"),
        (lambda: S.softmax(torch.zeros(2, 3), dim=1.0), TypeError, "dim must be an int"),
        (lambda: S.softmax_jacobian(torch.zeros(2, 2)), ValueError, "x must be 1-D"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
