"""dlcourse.normalization.layernorm against torch.nn.LayerNorm."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import dlcourse
from dlcourse.normalization import layernorm as L

from .normalization_cases import assert_same, pair


@pytest.mark.parametrize("shape, normalized_shape", [((4, 7), 7), ((2, 3, 6), (6,)), ((2, 3, 4, 5), (4, 5))])
@pytest.mark.parametrize("affine, bias", [(True, True), (True, False), (False, False)])
def test_layer_norm_matches_torch(shape, normalized_shape, affine, bias):
    ours, ref = pair(L.LayerNorm, nn.LayerNorm, normalized_shape, elementwise_affine=affine, bias=bias)
    x = 5 + 3 * dlcourse.randn(*shape, seed=0, dtype=torch.float64)
    assert_same(ours, ref, x)
    ours.eval(), ref.eval()
    assert_same(ours, ref, x)


def test_layer_norm_is_per_example():
    ln = L.LayerNorm(6)
    x = dlcourse.randn(5, 6, seed=0)
    torch.testing.assert_close(ln(x)[2:3], ln(x[2:3]))  # batch size does not matter
    out = ln(x).detach()
    torch.testing.assert_close(out.mean(1), torch.zeros(5), atol=1e-6, rtol=0)
