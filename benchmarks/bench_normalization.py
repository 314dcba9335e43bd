"""Batch norm: forward + backward of :class:`dlcourse.normalization.BatchNorm1d` vs ``nn.BatchNorm1d``."""

from __future__ import annotations

import torch
from torch import nn

import dlcourse
from dlcourse.normalization import BatchNorm1d

from .timing import compare

SHAPE = (4096, 512)


def _step(module: nn.Module, x: torch.Tensor, grad: torch.Tensor):
    def step():
        x.grad = None
        module.zero_grad(set_to_none=True)
        module(x).backward(grad)
    return step


def run(repeats: int = 7) -> list[dict]:
    """One row: the ratio of our training-mode forward+backward time to PyTorch's (target ≤ 2×)."""
    x = dlcourse.randn(*SHAPE, seed=0).requires_grad_(True)
    grad = dlcourse.randn(*SHAPE, seed=1)
    ours, theirs = BatchNorm1d(SHAPE[1]), nn.BatchNorm1d(SHAPE[1])
    return [compare(f"BatchNorm1d fwd+bwd {SHAPE[0]}×{SHAPE[1]}", _step(ours, x, grad),
                    "nn.BatchNorm1d", _step(theirs, x, grad), repeats=repeats)]
