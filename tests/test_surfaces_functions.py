"""dlcourse.surfaces.functions: gradients against autograd, minima and windows, Hessians and condition numbers."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given

from dlcourse import surfaces as S

from .strategies import surface_points


@pytest.mark.parametrize("name", list(S.SURFACES))
@given(p=surface_points())
def test_gradient_matches_autograd(name, p):
    s = S.get_surface(name)
    x = p.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(s.f(x), x)
    torch.testing.assert_close(s.grad(p), expected, atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("name", list(S.SURFACES))
def test_minima_have_zero_gradient_and_start_is_inside_window(name):
    s = S.get_surface(name)
    for m in s.minima:
        torch.testing.assert_close(s.grad(torch.tensor(m, dtype=torch.float64)), torch.zeros(2, dtype=torch.float64))
    assert s.xlim[0] < s.start[0] < s.xlim[1] and s.ylim[0] < s.start[1] < s.ylim[1]


def test_quadratic_hessian_and_condition_number():
    h = S.hessian("quadratic", (0.3, -0.2))
    torch.testing.assert_close(h, torch.diag(torch.tensor(S.QUADRATIC_CURVATURES, dtype=torch.float64)))
    assert S.condition_number(h) == pytest.approx(20.0)
    assert S.condition_number(S.hessian("saddle", (0.0, 0.0))) == pytest.approx(2.0)  # eigenvalues 2 and -1
    assert S.condition_number(torch.zeros(2, 2, dtype=torch.float64)) == float("inf")


def test_bad_point_shape():
    with pytest.raises(ValueError, match="^xy"):
        S.quadratic(torch.zeros(3))
    with pytest.raises(TypeError, match="^xy"):
        S.quadratic([0.0, 0.0])
