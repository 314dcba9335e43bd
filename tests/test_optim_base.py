"""dlcourse.optim.base: what LoopOptimizer does for every optimizer (skip parameters without gradient,
lazy state, one call of the update per parameter) and its argument checks."""

from __future__ import annotations

import pytest
import torch

from dlcourse.optim.base import LoopOptimizer, _check_betas


class Counting(LoopOptimizer):
    """A minimal optimizer on the base class: its update adds one to a counter in the state."""

    @staticmethod
    def _update(param, grad, state, *, lr: float):
        state["n"] = state.get("n", 0) + 1
        param.add_(grad, alpha=-lr)

    _update_foreach = None

    def __init__(self, params, lr: float = 0.1, foreach=False):
        super().__init__(params, dict(lr=lr, foreach=foreach))


def test_loop_optimizer_updates_only_parameters_with_a_gradient_and_creates_state_lazily():
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    opt = Counting([a, b])
    a.grad = torch.ones(2)
    opt.step()
    opt.step()
    assert opt.state[a]["n"] == 2 and b not in opt.state
    torch.testing.assert_close(a.detach(), torch.full((2,), 0.8))
    torch.testing.assert_close(b.detach(), torch.ones(2))


def test_betas_are_checked_by_name():
    assert _check_betas((0.9, 0.999)) == (0.9, 0.999)
    with pytest.raises(TypeError, match="^betas"):
        _check_betas(0.9)
    with pytest.raises(ValueError, match=r"^betas\[1\]"):
        _check_betas((0.9, 1.0))
