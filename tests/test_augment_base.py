"""dlcourse.augment.base: the batch check, through the transforms that call it."""

from __future__ import annotations

import pytest
import torch

from dlcourse import augment as A
from dlcourse.augment import base as B


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: A.random_flip(torch.rand(1, 4, 4)), ValueError, "x must be a batch of images"),
        (lambda: A.random_affine(torch.rand(2, 4, 4)), ValueError, "x must be a batch of images"),
        (lambda: A.random_flip(torch.ones(2, 1, 4, 4, dtype=torch.long)), TypeError, "x must be a floating-point"),
        (lambda: A.random_flip([1.0]), TypeError, "x must be a torch.Tensor"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_check_batch_returns_a_floating_point_batch_of_images_and_names_the_argument():
    x = torch.zeros(2, 3, 4, 4)
    assert B.check_batch(x) is x
    with pytest.raises(ValueError, match="images must be a batch of images"):
        B.check_batch(torch.zeros(3, 4, 4), "images")
