"""dlcourse.augment.colour: the folded one-pass formula against the three steps it folds."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.augment import colour as C
from dlcourse.runtime import make_generator

from .augment_cases import assert_inplace_equals_copy
from .strategies import image_batches


def gen(seed=0):
    return make_generator(seed)


def test_colour_factors_of_one_change_nothing_and_saturation_zero_is_grey():
    x = torch.rand(4, 3, 5, 5, generator=gen(0))
    torch.testing.assert_close(C.adjust_colour(x), x)
    grey = C.adjust_colour(x, saturation=0.0)
    expected = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])[:, None].expand_as(x)
    torch.testing.assert_close(grey, expected)
    flat = C.adjust_colour(x, contrast=0.0)
    assert flat.std(dim=(1, 2, 3)).max() < 1e-6
    torch.testing.assert_close(
        C.adjust_colour(x, brightness=torch.tensor([0.5, 1, 2, 3.0]), value_range=(0, 1)),
        (x * torch.tensor([0.5, 1, 2, 3.0])[:, None, None, None]).clamp(0, 1),
    )


@given(x=image_batches(), seed=st.integers(0, 100))
@settings(max_examples=40)
def test_colour_adjustment_equals_the_three_steps_in_order(x, seed):
    """The folded one-pass formula against the definition: brightness, then contrast, then saturation."""
    n = len(x)
    b, c, s = (torch.rand(n, generator=gen(seed + k)) * 2 for k in range(3))
    grey = lambda z: (0.299 * z[:, 0:1] + 0.587 * z[:, 1:2] + 0.114 * z[:, 2:3]) if z.shape[1] == 3 else z
    step = x * b[:, None, None, None]
    step = c[:, None, None, None] * step + (1 - c[:, None, None, None]) * grey(step).mean(dim=(1, 2, 3), keepdim=True)
    if x.shape[1] == 3:
        step = s[:, None, None, None] * step + (1 - s[:, None, None, None]) * grey(step)
    torch.testing.assert_close(C.adjust_colour(x, b, c, s), step, atol=1e-5, rtol=1e-5)


def test_inplace_colour_equals_the_copying_version():
    x = torch.rand(5, 3, 6, 7, generator=gen(0))
    assert_inplace_equals_copy(
        [
            (
                lambda v: C.adjust_colour(v, torch.rand(5) * 2, 0.5, 1.5, (0, 1)),
                lambda v: C.adjust_colour(v, torch.rand(5) * 2, 0.5, 1.5, (0, 1), inplace=True),
            ),
            (
                lambda v: C.color_jitter(v, 0.3, 0.3, 0.3, generator=gen(1)),
                lambda v: C.color_jitter(v, 0.3, 0.3, 0.3, generator=gen(1), inplace=True),
            ),
        ],
        x,
    )


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: C.color_jitter(torch.rand(2, 3, 4, 4), brightness=-0.1), ValueError, "brightness must be >= 0"),
        (lambda: C.adjust_colour(torch.rand(2, 3, 4, 4), inplace=None), TypeError, "inplace must be a bool"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
