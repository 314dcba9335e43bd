"""dlcourse.optim.base: what LoopOptimizer does for every optimizer (skip parameters without gradient,
lazy state, one call of the update per parameter) and its argument checks."""

from __future__ import annotations

import pytest
import torch
from torch.optim import optimizer as torch_optimizer

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


# --------------------------------------------------------------------------- step hooks and zero_grad without the profiler
def _sgd_pair():
    from dlcourse.optim import SGD

    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    v = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    return SGD([w], lr=0.1), torch.optim.SGD([v], lr=0.1), w, v


def test_step_hooks_run_as_in_torch_optim_instance_and_global():
    ours, theirs, w, v = _sgd_pair()
    calls = []
    for opt, name in ((ours, "ours"), (theirs, "torch")):
        opt.register_step_pre_hook(lambda o, args, kwargs, name=name: calls.append((name, "pre", len(args))))
        opt.register_step_post_hook(lambda o, args, kwargs, name=name: calls.append((name, "post", len(args))))
    handle = torch_optimizer.register_optimizer_step_pre_hook(
        lambda o, args, kwargs: calls.append(("global", type(o).__module__.split(".")[0]))
    )
    try:
        w.grad, v.grad = torch.ones(2), torch.ones(2)
        ours.step()
        theirs.step()
    finally:
        handle.remove()
    assert calls == [
        ("global", "dlcourse"),
        ("ours", "pre", 1),
        ("ours", "post", 1),
        ("global", "torch"),
        ("torch", "pre", 1),
        ("torch", "post", 1),
    ]
    assert torch.equal(w.detach(), v.detach())


def test_a_pre_hook_may_replace_the_arguments_and_a_bad_return_is_refused():
    ours, _, w, _ = _sgd_pair()
    closure_called = []
    ours.register_step_pre_hook(lambda o, args, kwargs: (args, {"closure": lambda: closure_called.append(1)}))
    w.grad = torch.ones(2)
    ours.step()
    assert closure_called == [1]
    bad, _, w, _ = _sgd_pair()
    bad.register_step_pre_hook(lambda o, args, kwargs: "not a pair")
    w.grad = torch.ones(2)
    with pytest.raises(RuntimeError, match="tuple"):
        bad.step()


def test_the_profiler_still_sees_the_step():
    ours, _, w, _ = _sgd_pair()
    w.grad = torch.ones(2)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        ours.step()
    assert any(e.name == "Optimizer.step#SGD.step" for e in prof.events())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_leaves_the_gradients_as_torch_optim_does(set_to_none):
    ours, theirs, w, v = _sgd_pair()
    for p in (w, v):
        (p * p).sum().backward(create_graph=True)  # a gradient with a graph: detached before zeroing
    ours.zero_grad(set_to_none=set_to_none)
    theirs.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert w.grad is None and v.grad is None
    else:
        assert torch.equal(w.grad, v.grad) and w.grad.grad_fn is None and not w.grad.requires_grad
