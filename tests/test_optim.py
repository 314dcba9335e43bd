"""dlcourse.optim (the package: its registry and factory) and, through the registry, every optimizer of
dlcourse.optim.classic and dlcourse.optim.adam_family against torch.optim: same seeded model, 100 steps on a
real batch, equal parameters; saving, resuming, signatures. (The other modules of the package:
tests/test_optim_base.py, _rules.py, _foreach.py, _momentum.py; what is particular to one class:
_classic.py, _adam_family.py.)"""

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

from .optim_cases import CASES, IDS, PARAMS
from .optim_cases import max_difference as _max_difference
from .optim_cases import skip_unless_torch_has as _skip_unless_torch_has
from .optim_cases import steps as _steps

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


def _assert_same(name, kwargs, batch, **run_kwargs):
    ours_cls, torch_cls = O.OPTIMIZERS[name]
    _skip_unless_torch_has(torch_cls, kwargs)
    ours = _run(lambda p: ours_cls(p, **kwargs), batch, **run_kwargs)
    theirs = _run(lambda p: torch_cls(p, **kwargs), batch, **run_kwargs)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=0)
    # the run must have moved the parameters, or the comparison proves nothing
    assert any((a - b).abs().max() > 1e-3 for a, b in zip(ours, [p.detach() for p in _model().parameters()]))


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


@pytest.mark.parametrize(
    "name,kwargs,argument",
    [
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
    ],
)
def test_bad_hyperparameters_raise_value_error_naming_them(name, kwargs, argument):
    with pytest.raises(ValueError, match="^" + re.escape(argument)):
        O.OPTIMIZERS[name][0]([torch.nn.Parameter(torch.ones(1))], **kwargs)


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
    return [
        torch.nn.Parameter(torch.randn(3, 4, generator=g, dtype=torch.float64)),
        torch.nn.Parameter(torch.randn(4, generator=g, dtype=torch.float64)),
    ]


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


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_signatures_equal_torchs(name):

    ours, theirs = O.OPTIMIZERS[name]
    shape = lambda cls: [(p.name, p.kind, p.default) for p in inspect.signature(cls.__init__).parameters.values()]
    assert shape(ours) == shape(theirs)


@pytest.mark.parametrize("name", list(O.OPTIMIZERS))
def test_torchs_implementation_switches_are_refused_loudly(name):

    ours = O.OPTIMIZERS[name][0]
    switches = [
        s for s in ("fused", "capturable", "differentiable") if s in inspect.signature(ours.__init__).parameters
    ]
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
