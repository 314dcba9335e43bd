"""dlcourse.optim.momentum: the textbook and PyTorch's momentum visit the same points, those of torch's SGD."""

from __future__ import annotations

import torch

from dlcourse import optim as O


def test_the_two_momentum_formulations_agree():
    gen = torch.Generator().manual_seed(0)
    A = torch.randn(5, 5, generator=gen, dtype=torch.float64)
    H = A @ A.T + torch.eye(5, dtype=torch.float64)
    out = O.momentum_formulations(
        lambda w: H @ w, torch.randn(5, generator=gen, dtype=torch.float64), lr=0.02, beta=0.9, steps=100
    )
    assert out["seed"].shape == (101, 5)
    assert float(out["max_abs_difference"]) < 1e-12
    # and both equal torch's SGD with momentum
    w = torch.nn.Parameter(out["torch"][0].clone())
    opt = torch.optim.SGD([w], lr=0.02, momentum=0.9)
    for t in range(1, 101):
        w.grad = H @ w.detach()
        opt.step()
        torch.testing.assert_close(w.detach(), out["seed"][t], atol=1e-10, rtol=0)
