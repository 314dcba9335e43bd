"""Batch norm: :class:`dlcourse.normalization.BatchNorm1d` against ``nn.BatchNorm1d``, at three sizes.

Rows, each at about 1e3, 1e5 and 1e7 elements:

- *train*: one training-mode forward + backward (batch statistics, running-statistics update,
  gradients of the input, ``weight`` and ``bias``). Target: ratio ≤ 2×.
- *eval*: one evaluation-mode forward (running statistics), under ``torch.no_grad``, as in
  validation. Target: ratio ≤ 2×.

Shapes ``(N, C)``: 32×32 is the course's model size (a batch of 32 through a hidden layer of 32
units), 1000×100 a large batch, 10000×1000 a layer wide enough for the time to be all memory
traffic. At the small sizes a single call lasts tens of microseconds, below the resolution of one
timing; each timed sample therefore runs ``calls`` calls in a row (about a millisecond or more),
and the row reports seconds per sample.
"""

from __future__ import annotations

import torch
from torch import nn

import dlcourse
from dlcourse.normalization import BatchNorm1d

from .timing import compare

# (N, C), calls per timed sample
SIZES = [((32, 32), 200), ((1000, 100), 20), ((10000, 1000), 1)]


def _train_step(module: nn.Module, x: torch.Tensor, grad: torch.Tensor, calls: int):
    def step():
        for _ in range(calls):
            x.grad = None
            module.zero_grad(set_to_none=True)
            module(x).backward(grad)

    return step


def _eval_step(module: nn.Module, x: torch.Tensor, calls: int):
    def step():
        with torch.no_grad():
            for _ in range(calls):
                module(x)

    return step


def _label(shape, calls: int) -> str:
    return f"{shape[0]}×{shape[1]}, {shape[0] * shape[1]:.0e} elements, {calls} call{'s' * (calls > 1)} per sample"


def run(repeats: int = 7) -> list[dict]:
    """Rows of training forward+backward and eval forward times, ours / PyTorch's (target ≤ 2× each)."""
    rows = []
    for shape, calls in SIZES:
        x = dlcourse.randn(*shape, seed=0).requires_grad_(True)
        grad = dlcourse.randn(*shape, seed=1)
        ours, theirs = BatchNorm1d(shape[1]), nn.BatchNorm1d(shape[1])
        rows.append(
            compare(
                f"BatchNorm1d train fwd+bwd {_label(shape, calls)}",
                _train_step(ours, x, grad, calls),
                "nn.BatchNorm1d",
                _train_step(theirs, x, grad, calls),
                repeats=repeats,
                target=2,
            )
        )
        ours.eval(), theirs.eval()
        x = x.detach()
        rows.append(
            compare(
                f"BatchNorm1d eval fwd {_label(shape, calls)}",
                _eval_step(ours, x, calls),
                "nn.BatchNorm1d",
                _eval_step(theirs, x, calls),
                repeats=repeats,
                target=2,
            )
        )
    return rows


if __name__ == "__main__":
    from .timing import format_rows

    dlcourse.set_num_threads(1)
    print(format_rows(run()))
