"""dlcourse.augment.mixing: Mixup and CutMix targets against the blend and the pixel areas."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from dlcourse.augment import mixing as M
from dlcourse.runtime import make_generator


def gen(seed=0):
    return make_generator(seed)


@pytest.mark.parametrize("seed", range(5))
def test_mixup_targets_sum_to_one_and_match_the_blend(seed):
    x = torch.rand(6, 1, 4, 4, generator=gen(seed))
    y = torch.tensor([0, 1, 2, 3, 4, 0])
    lam, perm = torch.rand(6, generator=gen(seed + 10)), torch.randperm(6, generator=gen(seed + 20))
    xm, ym = M.mix(x, y, lam, perm, num_classes=5)
    torch.testing.assert_close(ym.sum(1), torch.ones(6))
    torch.testing.assert_close(xm, lam[:, None, None, None] * x + (1 - lam[:, None, None, None]) * x[perm])
    expected = lam[:, None] * F.one_hot(y, 5) + (1 - lam[:, None]) * F.one_hot(y[perm], 5)
    torch.testing.assert_close(ym, expected.float())
    _, ym = M.mixup(x, y, 0.5, num_classes=5, generator=gen(seed))
    torch.testing.assert_close(ym.sum(1), torch.ones(6))


@pytest.mark.parametrize("seed", range(8))
def test_cutmix_targets_match_the_pixel_areas(seed):
    n, h, w = 6, 9, 7
    x = torch.arange(n, dtype=torch.float32)[:, None, None, None].expand(n, 1, h, w).contiguous()
    y = torch.arange(n)  # image i is filled with the value i and has class i
    xc, yc = M.cutmix(x, y, 1.0, num_classes=n, generator=gen(seed))
    torch.testing.assert_close(yc.sum(1), torch.ones(n))
    for i in range(n):
        own = (xc[i] == i).float().mean()
        assert yc[i, i].item() == pytest.approx(own.item(), abs=1e-6)
        assert torch.isin(xc[i].unique(), yc[i].nonzero().flatten().float()).all()


def test_cutmix_boxes_correct_lambda_for_clipping():
    top, left, bottom, right, lam = M.cutmix_boxes(torch.tensor([0.75, 0.75]), torch.tensor([[4, 4], [0, 0]]), (8, 8))
    assert (bottom - top).tolist() == [4, 2] and (right - left).tolist() == [4, 2]
    torch.testing.assert_close(lam, torch.tensor([1 - 16 / 64, 1 - 4 / 64], dtype=torch.float64))


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: M.mixup(torch.rand(2, 1, 4, 4), torch.tensor([0, 1]), alpha=0.0), ValueError, "alpha must be > 0"),
        (lambda: M.mixup(torch.rand(2, 1, 4, 4), torch.tensor([0, 1])), ValueError, "num_classes must be given"),
        (
            lambda: M.mix(torch.rand(2, 1, 4, 4), torch.tensor([0, 1]), 1.5, torch.tensor([1, 0]), num_classes=2),
            ValueError,
            "lam must be in",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
