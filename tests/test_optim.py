"""dlcourse.optim against torch.optim: same seeded model, 100 steps on a real batch, equal parameters."""

from __future__ import annotations

import functools
import inspect
import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dlcourse import optim as O
from dlcourse.data import load_digits
from dlcourse.models import make_mlp
from dlcourse.runtime import seed_everything

STEPS = 100


@pytest.fixture(scope="module")
def batch():
    X, y = load_digits().train
    return X[:128].double(), y[:128]


def _model():
    seed_everything(0)
    return make_mlp(64, 10, depth=2, width=32).double()


def _run(make_opt, batch, *, groups=None, frozen_grad=False):
    """Train a fresh seeded model for STEPS steps; return its parameters."""
    X, y = batch
    model = _model()
    params = list(model.parameters())
    if groups is not None:
        # two groups: the first layer with its own lr/weight decay, the rest with the defaults
        opt = make_opt([{"params": params[:2], **groups}, {"params": params[2:]}])
    else:
        opt = make_opt(params)
    for _ in range(STEPS):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(X), y).backward()
        if frozen_grad:
            params[-1].grad = None  # a parameter without gradient must be left alone
        opt.step()
    return [p.detach().clone() for p in params]


def _skip_unless_torch_has(torch_cls, kwargs):
    """Older torch lacks some options (``decoupled_weight_decay`` before 2.7): no oracle, no comparison."""
    missing = sorted(set(kwargs) - set(inspect.signature(torch_cls.__init__).parameters))
    if missing:
        pytest.skip(f"torch {torch.__version__}'s {torch_cls.__name__} has no {', '.join(missing)} to compare with")


def _assert_same(name, kwargs, batch, **run_kwargs):
    ours_cls, torch_cls = O.OPTIMIZERS[name]
    _skip_unless_torch_has(torch_cls, kwargs)
    ours = _run(lambda p: ours_cls(p, **kwargs), batch, **run_kwargs)
    theirs = _run(lambda p: torch_cls(p, **kwargs), batch, **run_kwargs)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=0)
    # the run must have moved the parameters, or the comparison proves nothing
    assert any((a - b).abs().max() > 1e-3 for a, b in zip(ours, [p.detach() for p in _model().parameters()]))


CASES = {
    "sgd": [dict(lr=0.1), dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.9, dampening=0.5),
            dict(lr=0.05, momentum=0.9, nesterov=True), dict(lr=0.1, weight_decay=1e-2),
            dict(lr=0.05, momentum=0.8, weight_decay=1e-2, nesterov=True), dict(lr=1e-3, momentum=0.5, maximize=True)],
    "adagrad": [dict(lr=0.05), dict(lr=0.05, lr_decay=1e-2), dict(lr=0.05, weight_decay=1e-2),
                dict(lr=0.05, initial_accumulator_value=0.1, eps=1e-6), dict(lr=5e-3, maximize=True)],
    "rmsprop": [dict(lr=1e-3), dict(lr=1e-3, alpha=0.9), dict(lr=1e-3, momentum=0.9), dict(lr=1e-3, centered=True),
                dict(lr=1e-3, momentum=0.5, centered=True, weight_decay=1e-2), dict(lr=1e-3, maximize=True)],
    "adam": [dict(lr=1e-3), dict(lr=1e-3, betas=(0.8, 0.99)), dict(lr=1e-3, amsgrad=True),
             dict(lr=1e-3, weight_decay=1e-2), dict(lr=1e-3, weight_decay=1e-2, decoupled_weight_decay=True),
             dict(lr=1e-3, eps=1e-4, amsgrad=True, weight_decay=1e-2), dict(lr=1e-3, maximize=True)],
    "adamw": [dict(lr=1e-3), dict(lr=1e-3, weight_decay=0.1), dict(lr=1e-3, amsgrad=True), dict(lr=1e-3, maximize=True)],
    "nadam": [dict(lr=2e-3), dict(lr=2e-3, momentum_decay=1e-2), dict(lr=2e-3, weight_decay=1e-2),
              dict(lr=2e-3, weight_decay=1e-2, decoupled_weight_decay=True), dict(lr=2e-3, maximize=True)],
    "adamax": [dict(lr=2e-3), dict(lr=2e-3, betas=(0.8, 0.99)), dict(lr=2e-3, weight_decay=1e-2),
               dict(lr=2e-3, maximize=True)],
}
PARAMS = [(name, kw) for name, kws in CASES.items() for kw in kws]
IDS = [f"{n}-" + ("-".join(f"{k}={v}" for k, v in kw.items())) for n, kw in PARAMS]


@pytest.mark.parametrize("name,kwargs", PARAMS, ids=IDS)
def test_hundred_steps_equal_torch(name, kwargs, batch):
    _assert_same(name, kwargs, batch)


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_param_groups_and_none_gradient_equal_torch(name, batch):
    base = CASES[name][0]
    _assert_same(name, base, batch, groups={"lr": base["lr"] * 0.5, "weight_decay": 1e-3}, frozen_grad=True)


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
@pytest.mark.parametrize("foreach", [None, True])
def test_state_is_lazy_and_none_grad_is_skipped(name, foreach):
    a, b = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(2))
    opt = O.OPTIMIZERS[name][0]([a, b], lr=0.1, foreach=foreach)
    assert len(opt.state) == 0
    a.grad = torch.ones(3)
    opt.step()
    assert torch.equal(b.detach(), torch.ones(2))
    assert b not in opt.state or not opt.state[b]


def test_works_with_torch_schedulers_and_state_dict():
    w = torch.nn.Parameter(torch.ones(2))
    opt = O.Adam([w], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    w.grad = torch.ones(2)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)
    opt2 = O.Adam([torch.nn.Parameter(torch.ones(2))], lr=0.1)
    opt2.load_state_dict(opt.state_dict())
    assert opt2.param_groups[0]["lr"] == pytest.approx(0.05)


def test_closure_is_called():
    w = torch.nn.Parameter(torch.tensor([3.0]))
    opt = O.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == pytest.approx(9.0)
    assert w.item() == pytest.approx(3.0 - 0.1 * 6.0)


@pytest.mark.parametrize("name,kwargs,argument", [
    ("sgd", dict(lr=-0.1), "lr"),
    ("sgd", dict(lr=0.1, momentum=-0.5), "momentum"),
    ("sgd", dict(lr=0.1, momentum=1.0), "momentum"),
    ("sgd", dict(lr=0.1, weight_decay=-1.0), "weight_decay"),
    ("sgd", dict(lr=0.1, nesterov=True), "nesterov"),
    ("sgd", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    ("adagrad", dict(lr=-1.0), "lr"),
    ("adagrad", dict(eps=-1e-8), "eps"),
    ("rmsprop", dict(alpha=1.5), "alpha"),
    ("rmsprop", dict(eps=-1.0), "eps"),
    ("adam", dict(lr=-1e-3), "lr"),
    ("adam", dict(betas=(1.0, 0.999)), "betas[0]"),
    ("adam", dict(betas=(0.9, -0.1)), "betas[1]"),
    ("adam", dict(eps=-1e-8), "eps"),
    ("adamw", dict(betas=(0.9, 1.0)), "betas[1]"),
    ("nadam", dict(momentum_decay=-1.0), "momentum_decay"),
    ("adamax", dict(eps=-1.0), "eps"),
])
def test_bad_hyperparameters_raise_value_error_naming_them(name, kwargs, argument):
    with pytest.raises(ValueError, match="^" + re.escape(argument)):
        O.OPTIMIZERS[name][0]([torch.nn.Parameter(torch.ones(1))], **kwargs)


@pytest.mark.parametrize("kwargs,argument,error", [
    (dict(betas=0.9), "betas", TypeError),
    (dict(amsgrad="yes"), "amsgrad", TypeError),
    (dict(lr="0.1"), "lr", TypeError),
])
def test_bad_types_raise_type_error(kwargs, argument, error):
    with pytest.raises(error, match=rf"^{argument}"):
        O.Adam([torch.nn.Parameter(torch.ones(1))], **kwargs)


def test_the_two_momentum_formulations_agree():
    gen = torch.Generator().manual_seed(0)
    A = torch.randn(5, 5, generator=gen, dtype=torch.float64)
    H = A @ A.T + torch.eye(5, dtype=torch.float64)
    out = O.momentum_formulations(lambda w: H @ w, torch.randn(5, generator=gen, dtype=torch.float64),
                                  lr=0.02, beta=0.9, steps=100)
    assert out["seed"].shape == (101, 5)
    assert float(out["max_abs_difference"]) < 1e-12
    # and both equal torch's SGD with momentum
    w = torch.nn.Parameter(out["torch"][0].clone())
    opt = torch.optim.SGD([w], lr=0.02, momentum=0.9)
    for t in range(1, 101):
        w.grad = H @ w.detach()
        opt.step()
        torch.testing.assert_close(w.detach(), out["seed"][t], atol=1e-10, rtol=0)


def test_make_optimizer_builds_either_side():
    p = [torch.nn.Parameter(torch.ones(1))]
    assert isinstance(O.make_optimizer("nadam", p, lr=0.1), O.NAdam)
    assert type(O.make_optimizer("nadam", p, lr=0.1, reference=True)) is torch.optim.NAdam
    with pytest.raises(ValueError, match="^name"):
        O.make_optimizer("lion", p)


def test_fit_accepts_course_optimizers():
    from dlcourse.data import make_moons
    from dlcourse.training import fit

    data = make_moons(200, seed=0)
    seed_everything(0)
    model = make_mlp(2, 2, depth=1, width=16)
    history = fit(model, data.train, data.val, epochs=5, optimizer=lambda p: O.Adam(p, lr=0.02), progress=False)
    assert history.train_loss[-1] < history.train_loss[0]


# --------------------------------------------------------------------------- parity: saving, resuming, signatures
def _float64_params(seed: int = 1) -> list[torch.nn.Parameter]:
    g = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(3, 4, generator=g, dtype=torch.float64)),
            torch.nn.Parameter(torch.randn(4, generator=g, dtype=torch.float64))]


def _set_grads(params, t: int) -> None:
    g = torch.Generator().manual_seed(100 + t)
    for p in params:
        p.grad = torch.randn(p.shape, generator=g, dtype=p.dtype)


def _steps(opt, params, start: int, stop: int) -> None:
    for t in range(start, stop):
        _set_grads(params, t)
        opt.step()


def _max_difference(a, b) -> float:
    return max((x.detach() - y.detach()).abs().max().item() for x, y in zip(a, b))


RESUME_CASES = [(name, kw) for name, kws in CASES.items() for kw in kws[:4]]


@pytest.mark.parametrize("name,kwargs", RESUME_CASES, ids=[f"{n}-{kw}" for n, kw in RESUME_CASES])
@pytest.mark.parametrize("how", ["state_dict", "torch.save", "deepcopy"])
@pytest.mark.parametrize("foreach", [False, True])
def test_saving_and_resuming_equals_an_uninterrupted_run(name, kwargs, how, foreach):
    import copy
    import io

    ours = functools.partial(O.OPTIMIZERS[name][0], foreach=foreach)
    reference = _float64_params()
    reference_opt = ours(reference, **kwargs)
    _steps(reference_opt, reference, 0, 10)

    first = _float64_params()
    first_opt = ours(first, **kwargs)
    _steps(first_opt, first, 0, 5)
    if how == "deepcopy":
        resumed_opt = copy.deepcopy(first_opt)
        resumed = [p for group in resumed_opt.param_groups for p in group["params"]]
    else:
        saved = first_opt.state_dict()
        if how == "torch.save":
            buffer = io.BytesIO()
            torch.save(saved, buffer)
            buffer.seek(0)
            saved = torch.load(buffer)
        resumed = [p.detach().clone().requires_grad_() for p in first]
        resumed_opt = ours(resumed, **kwargs)
        resumed_opt.load_state_dict(saved)
    _steps(resumed_opt, resumed, 5, 10)
    assert _max_difference(resumed, reference) == 0.0


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
@pytest.mark.parametrize("direction", ["torch_to_ours", "ours_to_torch"])
@pytest.mark.parametrize("foreach", [False, True])
def test_state_dicts_load_across_torch_and_the_course(name, direction, foreach):
    """Five steps on one side, saved, loaded into the other side's optimizer, five more steps:
    the same parameters as ten steps of torch.optim (both sides on the loop, or both on foreach)."""
    ours, theirs = O.OPTIMIZERS[name]
    ours, theirs = functools.partial(ours, foreach=foreach), functools.partial(theirs, foreach=foreach)
    kwargs = CASES[name][1]
    source, target = (theirs, ours) if direction == "torch_to_ours" else (ours, theirs)
    reference = _float64_params()
    _steps(theirs(reference, **kwargs), reference, 0, 10)
    first = _float64_params()
    first_opt = source(first, **kwargs)
    _steps(first_opt, first, 0, 5)
    resumed = [p.detach().clone().requires_grad_() for p in first]
    resumed_opt = target(resumed, **kwargs)
    resumed_opt.load_state_dict(first_opt.state_dict())
    _steps(resumed_opt, resumed, 5, 10)
    assert _max_difference(resumed, reference) < 1e-6  # NAdam: torch keeps its momentum product in float32


@given(name=st.sampled_from(list(O.OPTIMIZERS)), case=st.integers(0, 3), split=st.integers(0, 12))
def test_resuming_at_any_step_equals_an_uninterrupted_run(name, case, split):
    ours = O.OPTIMIZERS[name][0]
    kwargs = CASES[name][case % len(CASES[name])]
    reference = _float64_params()
    _steps(ours(reference, **kwargs), reference, 0, 12)
    first = _float64_params()
    first_opt = ours(first, **kwargs)
    _steps(first_opt, first, 0, split)
    resumed = [p.detach().clone().requires_grad_() for p in first]
    resumed_opt = ours(resumed, **kwargs)
    resumed_opt.load_state_dict(first_opt.state_dict())
    _steps(resumed_opt, resumed, split, 12)
    assert _max_difference(resumed, reference) == 0.0


def test_state_dict_uses_torchs_format_without_touching_the_live_state():
    w = torch.nn.Parameter(torch.ones(2))
    opt = O.NAdam([w], lr=0.1)
    _steps(opt, [w], 0, 3)
    state = opt.state_dict()["state"][0]
    assert state["step"].dtype == torch.float32 and state["step"].item() == 3.0
    assert state["mu_product"].dtype == torch.float64
    assert isinstance(opt.state[w]["step"], int) and isinstance(opt.state[w]["mu_product"], float)


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_signatures_equal_torchs(name):
    import inspect

    ours, theirs = O.OPTIMIZERS[name]
    shape = lambda cls: [(p.name, p.kind, p.default) for p in inspect.signature(cls.__init__).parameters.values()]
    assert shape(ours) == shape(theirs)


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_torchs_implementation_switches_are_refused_loudly(name):
    import inspect

    ours = O.OPTIMIZERS[name][0]
    switches = [s for s in ("fused", "capturable", "differentiable")
                if s in inspect.signature(ours.__init__).parameters]
    assert "differentiable" in switches
    params = [torch.nn.Parameter(torch.ones(2))]
    for switch in switches:
        with pytest.raises(NotImplementedError, match=f"^{switch}=True: {ours.__name__}"):
            ours(params, **{switch: True})
    for foreach in (None, False, True):  # foreach is provided
        ours(params, foreach=foreach)
    with pytest.raises(TypeError, match="^foreach"):
        ours(params, foreach="yes")


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_complex_parameters_are_refused_loudly(name):
    ours = O.OPTIMIZERS[name][0]
    z = torch.nn.Parameter(torch.ones(2, dtype=torch.complex64))
    with pytest.raises(NotImplementedError, match="complex"):
        ours([z])
    opt = ours([torch.nn.Parameter(torch.ones(2))])
    with pytest.raises(NotImplementedError, match="complex"):
        opt.add_param_group({"params": [z]})


# --------------------------------------------------------------------------- the multi-tensor (foreach) path
def _mixed_shape_params(dtypes=(torch.float64,), seed: int = 3) -> list[torch.nn.Parameter]:
    g = torch.Generator().manual_seed(seed)
    shapes = [(3, 4), (4,), (2, 3, 2), (5,), (1,), (6, 2)]
    return [torch.nn.Parameter(torch.randn(shape, generator=g, dtype=dtypes[i % len(dtypes)]))
            for i, shape in enumerate(shapes)]


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


@pytest.mark.parametrize("name,kwargs", FOREACH_CASES,
                         ids=[f"{n}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for n, kw in FOREACH_CASES])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_foreach_equals_the_loop_bit_for_bit_and_torchs_foreach(name, kwargs, dtype):
    ours, theirs = O.OPTIMIZERS[name]
    _skip_unless_torch_has(theirs, kwargs)
    runs = {}
    for label, make in [("loop", lambda p: ours(p, foreach=False, **kwargs)),
                        ("foreach", lambda p: ours(p, foreach=True, **kwargs)),
                        ("torch", lambda p: theirs(p, foreach=True, **kwargs))]:
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
    for label, make in [("loop", lambda p: ours(p, foreach=False, **kwargs)),
                        ("foreach", lambda p: ours(p, foreach=True, **kwargs)),
                        ("torch", lambda p: theirs(p, foreach=True, **kwargs))]:
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

    monkeypatch.setattr(O._torch_optimizer, "_default_to_fused_or_foreach", torch_says_foreach)
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
    keywords = lambda f: [(p.name, p.default) for p in inspect.signature(f).parameters.values()
                          if p.kind is p.KEYWORD_ONLY]
    assert keywords(ours._update_foreach) == keywords(ours._update)
    assert "applied to lists" in ours._update_foreach.__doc__
