"""Helpers the tests of dlcourse.normalization's layers share: a module of ours beside torch's, the same
parameters in both, and one forward and backward pass compared."""

from __future__ import annotations

import torch

import dlcourse

TOL = dict(atol=1e-5, rtol=1e-5)


def pair(ours_cls, torch_cls, *args, dtype=torch.float64, **kwargs):
    ours, ref = ours_cls(*args, **kwargs).to(dtype), torch_cls(*args, **kwargs).to(dtype)
    if getattr(ref, "weight", None) is not None:
        g = dlcourse.make_generator(7)
        with torch.no_grad():  # non-trivial gamma and beta, the same in both
            ref.weight.copy_(1 + 0.5 * torch.randn(ref.weight.shape, generator=g, dtype=dtype))
            if ref.bias is not None:
                ref.bias.copy_(torch.randn(ref.bias.shape, generator=g, dtype=dtype))
        ours.load_state_dict(ref.state_dict())
    return ours, ref


def forward_backward(module, x, grad):
    x = x.clone().requires_grad_(True)
    out = module(x)
    out.backward(grad)
    params = {n: p.grad.clone() for n, p in module.named_parameters()}
    module.zero_grad(set_to_none=True)
    return out.detach(), x.grad, params


def assert_same(ours, ref, x, seed=1):
    grad = torch.randn(x.shape, generator=dlcourse.make_generator(seed), dtype=x.dtype)
    out_a, gx_a, gp_a = forward_backward(ours, x, grad)
    out_b, gx_b, gp_b = forward_backward(ref, x, grad)
    torch.testing.assert_close(out_a, out_b, **TOL)
    torch.testing.assert_close(gx_a, gx_b, **TOL)
    assert gp_a.keys() == gp_b.keys()
    for name in gp_a:
        torch.testing.assert_close(gp_a[name], gp_b[name], **TOL, msg=f"gradient of {name}")
