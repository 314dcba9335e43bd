"""dlcourse.optim.foreach: the multi-tensor path equals the loop bit for bit and torch's foreach path; it groups
parameters by dtype, is chosen like torch's, leaves gradients alone."""

from __future__ import annotations

import functools

import pytest
import torch
from torch.optim import optimizer as torch_optimizer_module

from dlcourse import optim as O

from .optim_cases import CASES, PARAMS
from .optim_cases import max_difference as _max_difference
from .optim_cases import skip_unless_torch_has as _skip_unless_torch_has


def _mixed_shape_params(dtypes=(torch.float64,), seed: int = 3) -> list[torch.nn.Parameter]:
    g = torch.Generator().manual_seed(seed)
    shapes = [(3, 4), (4,), (2, 3, 2), (5,), (1,), (6, 2)]
    return [
        torch.nn.Parameter(torch.randn(shape, generator=g, dtype=dtypes[i % len(dtypes)]))
        for i, shape in enumerate(shapes)
    ]


def _random_steps(opt, params, steps: int = 7) -> None:
    """Random gradients; parameter 3 has none at every third step and parameter 5 none before step 2."""
    for t in range(steps):
        g = torch.Generator().manual_seed(200 + t)
        for i, p in enumerate(params):
            grad = torch.randn(p.shape, generator=g, dtype=p.dtype)
            p.grad = None if (i == 3 and t % 3 == 0) or (i == 5 and t < 2) else grad
        opt.step()


# torch's foreach code has its own branch when maximize and weight decay meet: combine the options
COMBINED_CASES = [
    ("sgd", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=1e-2, maximize=True)),
    ("sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2, maximize=True)),
    ("adagrad", dict(lr=0.05, lr_decay=1e-2, weight_decay=1e-2, initial_accumulator_value=0.1, maximize=True)),
    ("rmsprop", dict(lr=1e-3, alpha=0.9, momentum=0.5, centered=True, weight_decay=1e-2, maximize=True)),
    ("adam", dict(lr=1e-3, amsgrad=True, weight_decay=1e-2, maximize=True)),
    ("adam", dict(lr=1e-3, amsgrad=True, weight_decay=1e-2, decoupled_weight_decay=True, maximize=True)),
    ("adamw", dict(lr=1e-3, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.1, maximize=True)),
    ("nadam", dict(lr=2e-3, momentum_decay=1e-2, weight_decay=1e-2, decoupled_weight_decay=True, maximize=True)),
    ("nadam", dict(lr=2e-3, betas=(0.8, 0.99), weight_decay=1e-2, maximize=True)),
    ("adamax", dict(lr=2e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2, maximize=True)),
]
FOREACH_CASES = PARAMS + COMBINED_CASES


@pytest.mark.parametrize(
    "name,kwargs", FOREACH_CASES, ids=[f"{n}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for n, kw in FOREACH_CASES]
)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_foreach_equals_the_loop_bit_for_bit_and_torchs_foreach(name, kwargs, dtype):
    ours, theirs = O.OPTIMIZERS[name]
    _skip_unless_torch_has(theirs, kwargs)
    runs = {}
    for label, make in [
        ("loop", lambda p: ours(p, foreach=False, **kwargs)),
        ("foreach", lambda p: ours(p, foreach=True, **kwargs)),
        ("torch", lambda p: theirs(p, foreach=True, **kwargs)),
    ]:
        params = _mixed_shape_params((dtype,))
        opt = make(params)
        _random_steps(opt, params)
        runs[label] = params
        if label == "foreach":
            assert all(isinstance(state["step"], int) for state in opt.state.values() if "step" in state)
    assert _max_difference(runs["foreach"], runs["loop"]) == 0.0
    tolerance = 1e-6 if dtype == torch.float64 else 1e-5  # NAdam: torch keeps its momentum product in float32
    assert _max_difference(runs["foreach"], runs["torch"]) < tolerance
    assert _max_difference(runs["foreach"], _mixed_shape_params((dtype,))) > 1e-4  # the steps moved them


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_foreach_groups_mixed_dtypes_like_torch(name, monkeypatch):
    ours, theirs = O.OPTIMIZERS[name]
    kwargs = CASES[name][1]
    kinds = []
    foreach_update = ours._update_foreach

    def recording(params, grads, states, **hyper):
        kinds.append([p.dtype for p in params])
        foreach_update(params, grads, states, **hyper)

    dtypes = (torch.float32, torch.float64)
    runs = {}
    for label, make in [
        ("loop", lambda p: ours(p, foreach=False, **kwargs)),
        ("foreach", lambda p: ours(p, foreach=True, **kwargs)),
        ("torch", lambda p: theirs(p, foreach=True, **kwargs)),
    ]:
        params = _mixed_shape_params(dtypes)
        opt = make(params)
        if label == "foreach":
            monkeypatch.setattr(ours, "_update_foreach", staticmethod(recording))
        _random_steps(opt, params, steps=3)
        runs[label] = params
    # one call per dtype and step, each on parameters of a single dtype, in the order they came
    assert len(kinds) == 6 and all(len(set(kind)) == 1 for kind in kinds)
    assert [kind[0] for kind in kinds[:2]] == [torch.float32, torch.float64]
    assert _max_difference(runs["foreach"], runs["loop"]) == 0.0
    assert _max_difference(runs["foreach"], runs["torch"]) < 1e-5


def _refusing(update):
    @functools.wraps(update)  # keeps the signature, from which the optimizer reads its hyperparameters
    def refuse(*args, **kwargs):
        raise AssertionError(f"{update.__name__} should not run")

    return refuse


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_foreach_switch_selects_the_path_like_torch(name, monkeypatch):
    ours = O.OPTIMIZERS[name][0]

    def step_with(foreach, refused):
        params = _mixed_shape_params()
        opt = ours(params, foreach=foreach)
        with monkeypatch.context() as patch:
            patch.setattr(ours, refused, staticmethod(_refusing(getattr(ours, refused))))
            _random_steps(opt, params, steps=2)

    step_with(True, "_update")
    step_with(False, "_update_foreach")
    step_with(None, "_update_foreach")  # on the CPU torch.optim's default is its per-tensor loop
    # None follows torch's own choice, made on the parameters with a gradient (the foreach path on a GPU)
    seen = []

    def torch_says_foreach(params, differentiable, use_fused=False):
        seen.append(len(params))
        return False, True

    monkeypatch.setattr(torch_optimizer_module, "_default_to_fused_or_foreach", torch_says_foreach)
    step_with(None, "_update")
    assert seen == [4, 5]  # parameters 3 and 5 have no gradient at the first step, 5 none at the second
    step_with(False, "_update_foreach")


def test_foreach_is_chosen_per_group_and_can_change_mid_run():
    params = _mixed_shape_params()
    opt = O.Adam([{"params": params[:3], "foreach": True}, {"params": params[3:]}], lr=1e-2, amsgrad=True)
    assert [group["foreach"] for group in opt.param_groups] == [True, None]
    _random_steps(opt, params, steps=3)
    for group in opt.param_groups:
        group["foreach"] = not group["foreach"]
    _random_steps(opt, params, steps=4)
    reference = _mixed_shape_params()
    reference_opt = O.Adam(reference, lr=1e-2, amsgrad=True)
    _random_steps(reference_opt, reference, steps=3)
    _random_steps(reference_opt, reference, steps=4)
    assert _max_difference(params, reference) == 0.0


@pytest.mark.parametrize("foreach", [False, True])
def test_sparse_gradients_are_refused_on_both_paths(foreach):
    w = torch.nn.Parameter(torch.ones(3))
    opt = O.SGD([w], lr=0.1, foreach=foreach)
    w.grad = torch.ones(3).to_sparse()
    with pytest.raises(RuntimeError, match="sparse"):
        opt.step()


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_foreach_leaves_gradients_and_gradientless_groups_alone(name):
    ours = O.OPTIMIZERS[name][0]
    kwargs = CASES[name][-1] | {"weight_decay": 1e-2}  # maximize, or the last case, with L2 decay
    if name == "sgd":
        kwargs = dict(lr=0.05, momentum=0.9, nesterov=True)  # torch's foreach SGD writes into .grad here
    params = _mixed_shape_params()
    opt = ours([{"params": params[:4]}, {"params": params[4:]}], foreach=True, **kwargs)
    for t in range(3):
        for p in params[:4]:
            p.grad = torch.full_like(p, 0.5 + t)
        opt.step()
        assert all(torch.equal(p.grad, torch.full_like(p, 0.5 + t)) for p in params[:4])
    assert all(p not in opt.state for p in params[4:])


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_each_foreach_update_reads_the_same_hyperparameters_as_its_loop(name):
    import inspect

    ours = O.OPTIMIZERS[name][0]
    keywords = lambda f: [
        (p.name, p.default) for p in inspect.signature(f).parameters.values() if p.kind is p.KEYWORD_ONLY
    ]
    assert keywords(ours._update_foreach) == keywords(ours._update)
    assert "applied to lists" in ours._update_foreach.__doc__
