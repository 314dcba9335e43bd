"""dlcourse.augment.affine_maps: affine maps against their oracles (F.affine_grid, torch.rot90)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.augment import affine_maps as G

from .augment_cases import gen
from .strategies import image_batches


@given(x=image_batches())
@settings(max_examples=30)
def test_identity_affine_reproduces_the_input(x):
    theta = G.affine_matrices(torch.zeros(len(x)), size=tuple(x.shape[2:]))
    torch.testing.assert_close(theta[0], torch.tensor([[1.0, 0, 0], [0, 1, 0]], dtype=torch.float64))
    torch.testing.assert_close(G.affine(x, theta), x, atol=1e-5, rtol=1e-5)


@given(n=st.integers(1, 5), height=st.integers(1, 12), width=st.integers(1, 12), seed=st.integers(0, 100))
@settings(max_examples=40)
def test_separable_grid_equals_torch_affine_grid(n, height, width, seed):
    theta = torch.randn(n, 2, 3, generator=gen(seed))
    torch.testing.assert_close(
        G.affine_grid(theta, (height, width)),
        F.affine_grid(theta, [n, 1, height, width], align_corners=False),
        atol=1e-6,
        rtol=1e-6,
    )


@pytest.mark.parametrize("angle,k", [(90.0, 1), (-90.0, -1), (180.0, 2)])
def test_right_angle_rotation_matches_rot90(angle, k):
    x = torch.rand(4, 3, 7, 7, generator=gen(0))
    out = G.affine(x, G.affine_matrices(torch.full((4,), angle), size=(7, 7)))
    torch.testing.assert_close(out, torch.rot90(x, k, dims=(2, 3)), atol=1e-5, rtol=1e-5)


def test_affine_translation_and_fill():
    x = torch.zeros(1, 1, 5, 5)
    x[0, 0, 2, 2] = 1.0
    out = G.affine(x, G.affine_matrices(torch.zeros(1), (0.2, -0.2), size=(5, 5)), fill=0.0)
    assert out[0, 0, 1, 3] == pytest.approx(1.0)  # one pixel right, one up
    filled = G.affine(torch.ones(1, 1, 4, 4), G.affine_matrices(torch.zeros(1), (0.5, 0.0), size=(4, 4)), fill=-3.0)
    assert filled[0, 0, :, 0].eq(-3.0).all() and filled[0, 0, :, -1].eq(1.0).all()


def test_affine_grid_is_a_view_of_two_planes_that_grid_sample_reads():
    theta = torch.randn(3, 2, 3, generator=gen(0))
    grid = G.affine_grid(theta, (5, 6))
    assert grid.shape == (3, 5, 6, 2)
    x = torch.rand(3, 2, 5, 6, generator=gen(1))
    torch.testing.assert_close(
        F.grid_sample(x, grid, align_corners=False),
        F.grid_sample(x, grid.contiguous(), align_corners=False),
        rtol=0,
        atol=0,
    )


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: G.random_affine(torch.rand(2, 1, 4, 4), scale=(1.2, 0.8)), ValueError, "scale must satisfy"),
        (lambda: G.random_affine(torch.rand(2, 1, 4, 4), scale=(0.0, 1.0)), ValueError, "scale must be > 0"),
        (lambda: G.random_affine(torch.rand(2, 1, 4, 4), translate=(-0.1, 0.1)), ValueError, r"translate\[0\]"),
        (lambda: G.random_affine(torch.rand(2, 1, 4, 4), translate=0.1), TypeError, "translate must be a pair"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_the_two_largest_shifts_are_independent():
    """``translate=(tx, ty)`` bounds the x and y shifts separately: (0.5, 0) shifts along x only, any tx, ty."""
    x = torch.zeros(64, 1, 8, 8)
    x[:, :, 3:5, 3:5] = 1.0
    out = G.random_affine(x, translate=(0.5, 0.0), generator=gen(0))
    rows_with_ink = (out > 0.5).any(dim=3).squeeze(1)
    assert torch.equal(rows_with_ink, (x > 0.5).any(dim=3).squeeze(1))  # no vertical shift
    assert not torch.equal(out, x)  # but horizontal ones
