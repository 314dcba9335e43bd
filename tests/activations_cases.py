"""What the tests of dlcourse.activations share: the tolerance against torch, and autograd's derivative."""

from __future__ import annotations

import torch

TOL = dict(atol=1e-6, rtol=1e-6)


def autograd_derivative(fn, x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(x).sum(), x)
    return grad
