"""What the tests of dlcourse.augment's transforms share: a seeded generator, and the check that the in-place
variant equals the copying one."""

from __future__ import annotations

import torch

from dlcourse.runtime import make_generator


def assert_inplace_equals_copy(pairs, x: torch.Tensor) -> None:
    """For each ``(copying, in_place)`` pair of calls: the same torch seed, the same result bit for bit, and the
    in-place call writes into (and returns) its argument."""
    for copying, in_place in pairs:
        torch.manual_seed(0)
        expected = copying(x)
        torch.manual_seed(0)
        target = x.clone()
        out = in_place(target)
        assert out.data_ptr() == target.data_ptr()
        torch.testing.assert_close(target, expected, rtol=0, atol=0)


def gen(seed=0):
    return make_generator(seed)
