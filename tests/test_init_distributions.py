"""dlcourse.init.distributions: the plain initializers (constants, orthogonal, truncated normal)."""

import torch
from torch import nn

from dlcourse import init


def test_orthogonal_has_unit_singular_values_and_ones_fills():
    w = init.orthogonal_(torch.empty(50, 20, dtype=torch.float64), generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(torch.linalg.svdvals(w), torch.ones(20, dtype=torch.float64))
    assert torch.equal(init.ones_(torch.zeros(3, 2)), torch.ones(3, 2))
    t = init.trunc_normal_(torch.empty(10000), std=1.0, a=-0.5, b=1.5, generator=torch.Generator().manual_seed(0))
    assert t.min() >= -0.5 and t.max() <= 1.5


def test_constant_and_zeros_match_torch():
    a, b = torch.empty(4, 5), torch.empty(4, 5)
    assert torch.equal(init.constant_(a, 0.3), nn.init.constant_(b, 0.3))
    assert torch.equal(init.zeros_(a), nn.init.zeros_(b))
