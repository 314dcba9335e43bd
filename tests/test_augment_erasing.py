"""dlcourse.augment.erasing: Cutout against the definition as a mask."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.augment import erasing as O
from dlcourse.runtime import make_generator

from .augment_cases import assert_inplace_equals_copy
from .strategies import image_batches


def gen(seed=0):
    return make_generator(seed)


@given(x=image_batches(), size=st.integers(1, 6), seed=st.integers(0, 100))
@settings(max_examples=40)
def test_cutout_equals_filling_the_clipped_square(x, size, seed):
    """Against the definition as a mask, with centres anywhere, including off the image."""
    n, _, height, width = x.shape
    g = gen(seed)
    centres = torch.stack(
        [torch.randint(-size, height + size, (n,), generator=g), torch.randint(-size, width + size, (n,), generator=g)],
        1,
    )
    rows, cols = torch.arange(height)[:, None], torch.arange(width)[None, :]
    expected = x.clone()
    for i, (r, c) in enumerate(centres.tolist()):
        top, left = r - size // 2, c - size // 2
        inside = (rows >= top) & (rows < top + size) & (cols >= left) & (cols < left + size)
        expected[i, :, inside] = 0.5
    torch.testing.assert_close(O.cutout(x, centres, size, fill=0.5), expected, rtol=0, atol=0)


def test_cutout_zeroes_a_clipped_square():
    x = torch.ones(2, 1, 6, 6)
    out = O.cutout(x, torch.tensor([[3, 3], [0, 0]]), 2, fill=0.0)
    assert out[0, 0, 2:4, 2:4].eq(0).all() and out[0].sum() == 36 - 4
    assert out[1].sum() == 36 - 1  # the corner square keeps only one pixel inside the image


def test_inplace_cutout_equals_the_copying_version():
    x = torch.rand(5, 3, 6, 7, generator=gen(0))
    assert_inplace_equals_copy(
        [
            (
                lambda v: O.random_cutout(v, 3, fill=0.5, generator=gen(2)),
                lambda v: O.random_cutout(v, 3, fill=0.5, generator=gen(2), inplace=True),
            ),
        ],
        x,
    )


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: O.random_cutout(torch.rand(2, 1, 4, 4), 0), ValueError, "size must be >= 1"),
        (
            lambda: O.cutout(torch.rand(2, 1, 4, 4), torch.zeros(2, 2), 1, inplace=1),
            TypeError,
            "inplace must be a bool",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
