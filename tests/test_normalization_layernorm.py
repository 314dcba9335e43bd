"""dlcourse.normalization.layernorm against torch.nn.LayerNorm."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import dlcourse
from dlcourse.normalization import layernorm as L

TOL = dict(atol=1e-5, rtol=1e-5)


def _pair(ours_cls, torch_cls, *args, dtype=torch.float64, **kwargs):
    ours, ref = ours_cls(*args, **kwargs).to(dtype), torch_cls(*args, **kwargs).to(dtype)
    if getattr(ref, "weight", None) is not None:
        g = dlcourse.make_generator(7)
        with torch.no_grad():  # non-trivial gamma and beta, the same in both
            ref.weight.copy_(1 + 0.5 * torch.randn(ref.weight.shape, generator=g, dtype=dtype))
            if ref.bias is not None:
                ref.bias.copy_(torch.randn(ref.bias.shape, generator=g, dtype=dtype))
        ours.load_state_dict(ref.state_dict())
    return ours, ref


def _forward_backward(module, x, grad):
    x = x.clone().requires_grad_(True)
    out = module(x)
    out.backward(grad)
    params = {n: p.grad.clone() for n, p in module.named_parameters()}
    module.zero_grad(set_to_none=True)
    return out.detach(), x.grad, params


def _assert_same(ours, ref, x, seed=1):
    grad = torch.randn(x.shape, generator=dlcourse.make_generator(seed), dtype=x.dtype)
    out_a, gx_a, gp_a = _forward_backward(ours, x, grad)
    out_b, gx_b, gp_b = _forward_backward(ref, x, grad)
    torch.testing.assert_close(out_a, out_b, **TOL)
    torch.testing.assert_close(gx_a, gx_b, **TOL)
    assert gp_a.keys() == gp_b.keys()
    for name in gp_a:
        torch.testing.assert_close(gp_a[name], gp_b[name], **TOL, msg=f"gradient of {name}")


@pytest.mark.parametrize("shape, normalized_shape", [((4, 7), 7), ((2, 3, 6), (6,)), ((2, 3, 4, 5), (4, 5))])
@pytest.mark.parametrize("affine, bias", [(True, True), (True, False), (False, False)])
def test_layer_norm_matches_torch(shape, normalized_shape, affine, bias):
    ours, ref = _pair(L.LayerNorm, nn.LayerNorm, normalized_shape, elementwise_affine=affine, bias=bias)
    x = 5 + 3 * dlcourse.randn(*shape, seed=0, dtype=torch.float64)
    _assert_same(ours, ref, x)
    ours.eval(), ref.eval()
    _assert_same(ours, ref, x)


def test_layer_norm_is_per_example():
    ln = L.LayerNorm(6)
    x = dlcourse.randn(5, 6, seed=0)
    torch.testing.assert_close(ln(x)[2:3], ln(x[2:3]))  # batch size does not matter
    out = ln(x).detach()
    torch.testing.assert_close(out.mean(1), torch.zeros(5), atol=1e-6, rtol=0)
