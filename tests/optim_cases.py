"""The optimizer cases the tests of dlcourse.optim share: every option of every optimizer, and the helpers."""

from __future__ import annotations

import inspect

import pytest
import torch

CASES = {
    "sgd": [
        dict(lr=0.1),
        dict(lr=0.05, momentum=0.9),
        dict(lr=0.05, momentum=0.9, dampening=0.5),
        dict(lr=0.05, momentum=0.9, nesterov=True),
        dict(lr=0.1, weight_decay=1e-2),
        dict(lr=0.05, momentum=0.8, weight_decay=1e-2, nesterov=True),
        dict(lr=1e-3, momentum=0.5, maximize=True),
    ],
    "adagrad": [
        dict(lr=0.05),
        dict(lr=0.05, lr_decay=1e-2),
        dict(lr=0.05, weight_decay=1e-2),
        dict(lr=0.05, initial_accumulator_value=0.1, eps=1e-6),
        dict(lr=5e-3, maximize=True),
    ],
    "rmsprop": [
        dict(lr=1e-3),
        dict(lr=1e-3, alpha=0.9),
        dict(lr=1e-3, momentum=0.9),
        dict(lr=1e-3, centered=True),
        dict(lr=1e-3, momentum=0.5, centered=True, weight_decay=1e-2),
        dict(lr=1e-3, maximize=True),
    ],
    "adam": [
        dict(lr=1e-3),
        dict(lr=1e-3, betas=(0.8, 0.99)),
        dict(lr=1e-3, amsgrad=True),
        dict(lr=1e-3, weight_decay=1e-2),
        dict(lr=1e-3, weight_decay=1e-2, decoupled_weight_decay=True),
        dict(lr=1e-3, eps=1e-4, amsgrad=True, weight_decay=1e-2),
        dict(lr=1e-3, maximize=True),
    ],
    "adamw": [
        dict(lr=1e-3),
        dict(lr=1e-3, weight_decay=0.1),
        dict(lr=1e-3, amsgrad=True),
        dict(lr=1e-3, maximize=True),
    ],
    "nadam": [
        dict(lr=2e-3),
        dict(lr=2e-3, momentum_decay=1e-2),
        dict(lr=2e-3, weight_decay=1e-2),
        dict(lr=2e-3, weight_decay=1e-2, decoupled_weight_decay=True),
        dict(lr=2e-3, maximize=True),
    ],
    "adamax": [
        dict(lr=2e-3),
        dict(lr=2e-3, betas=(0.8, 0.99)),
        dict(lr=2e-3, weight_decay=1e-2),
        dict(lr=2e-3, maximize=True),
    ],
}
PARAMS = [(name, kw) for name, kws in CASES.items() for kw in kws]
IDS = [f"{n}-" + ("-".join(f"{k}={v}" for k, v in kw.items())) for n, kw in PARAMS]


def skip_unless_torch_has(torch_cls, kwargs):
    """Older torch lacks some options (``decoupled_weight_decay`` before 2.7): no oracle, no comparison."""
    missing = sorted(set(kwargs) - set(inspect.signature(torch_cls.__init__).parameters))
    if missing:
        pytest.skip(f"torch {torch.__version__}'s {torch_cls.__name__} has no {', '.join(missing)} to compare with")


def max_difference(a, b) -> float:
    return max((x.detach() - y.detach()).abs().max().item() for x, y in zip(a, b))


def set_grads(params, t: int) -> None:
    g = torch.Generator().manual_seed(100 + t)
    for p in params:
        p.grad = torch.randn(p.shape, generator=g, dtype=p.dtype)


def steps(opt, params, start: int, stop: int) -> None:
    for t in range(start, stop):
        set_grads(params, t)
        opt.step()
