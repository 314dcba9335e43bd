"""dlcourse.augment.transforms: the transform objects and RandomApply."""

from __future__ import annotations

import pytest
import torch

from dlcourse import augment as A
from dlcourse.augment import transforms as T
from dlcourse.runtime import make_generator


def gen(seed=0):
    return make_generator(seed)


def test_transform_objects_compose_and_random_apply():
    x = torch.rand(8, 1, 6, 6, generator=gen(0))
    y = torch.arange(8) % 3
    t = A.Compose([T.RandomHorizontalFlip(p=1.0), T.RandomVerticalFlip(p=1.0)])
    torch.testing.assert_close(t(x), torch.rot90(x, 2, dims=(2, 3)))
    out, same_y = A.Compose([T.RandomCrop(padding=1), T.Cutout(size=2)], generator=gen(1))(x, y)
    assert out.shape == x.shape and torch.equal(same_y, y)
    assert torch.equal(T.RandomApply(T.RandomHorizontalFlip(p=1.0), p=0.0)(x), x)
    torch.testing.assert_close(T.RandomApply(T.RandomHorizontalFlip(p=1.0), p=1.0)(x), x.flip(-1))
    xm, ym = T.RandomApply(T.Mixup(alpha=1.0, num_classes=3), p=0.5, generator=gen(2))(x, y)
    assert ym.shape == (8, 3)
    torch.testing.assert_close(ym.sum(1), torch.ones(8))
    assert "RandomCrop(padding=1)" in repr(T.RandomCrop(padding=1))


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: T.RandomApply(T.Cutout(size=2), p=-0.1), ValueError, "p must be in"),
        (lambda: T.Mixup(alpha=1.0, num_classes=2)(torch.rand(2, 1, 4, 4)), ValueError, "y: Mixup mixes labels"),
        (lambda: T.RandomCrop(padding=1, colour=3), TypeError, "colour"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
