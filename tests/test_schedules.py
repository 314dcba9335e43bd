"""dlcourse.schedules against torch.optim.lr_scheduler, step by step; the LR range test."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.optim import lr_scheduler as L
from torch.optim.lr_scheduler import ReduceLROnPlateau

from dlcourse import optim as O
from dlcourse import schedules as S
from dlcourse.models import make_mlp
from dlcourse.runtime import seed_everything

STEPS = 60


def _opt(lr=0.5, momentum=0.0):
    # two groups with different initial rates: every schedule must scale each one
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": lr / 5}], lr=lr, momentum=momentum)


def _trace(make, steps=STEPS, metrics=None):
    opt = _opt()
    sched = make(opt)
    out = []
    for t in range(steps):
        out.append([g["lr"] for g in opt.param_groups])
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[t])
    return torch.tensor(out, dtype=torch.float64)


def _same(ours, theirs, steps=STEPS, metrics=None):
    torch.testing.assert_close(_trace(ours, steps, metrics), _trace(theirs, steps, metrics), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("s,c", [(10, 1.0), (5, 0.5), (20, 2.0)])
def test_power_equals_lambda_lr(s, c):
    _same(lambda o: S.power(o, s=s, c=c), lambda o: L.LambdaLR(o, lambda t: (1 + t / s) ** -c))


@pytest.mark.parametrize("s", [1, 7.5, 30])
def test_exponential_equals_exponential_lr(s):
    _same(lambda o: S.exponential(o, s=s), lambda o: L.ExponentialLR(o, gamma=0.1 ** (1 / s)))


@pytest.mark.parametrize("milestones,gamma", [([10, 30], 0.1), ([1, 2, 50], 0.5), ([59], 0.2)])
def test_piecewise_constant_equals_multistep_lr(milestones, gamma):
    _same(lambda o: S.piecewise_constant(o, milestones, gamma), lambda o: L.MultiStepLR(o, milestones, gamma))


@pytest.mark.parametrize(
    "kwargs",
    [dict(), dict(pct_start=0.25, anneal="linear"), dict(pct_start=0.5, div_factor=10.0, final_div_factor=100.0)],
)
def test_one_cycle_equals_one_cycle_lr(kwargs):
    torch_kwargs = {("anneal_strategy" if k == "anneal" else k): v for k, v in kwargs.items()}
    _same(
        lambda o: S.one_cycle(o, max_lr=1.0, total_steps=STEPS, **kwargs),
        lambda o: L.OneCycleLR(o, max_lr=1.0, total_steps=STEPS, cycle_momentum=False, **torch_kwargs),
    )


@pytest.mark.parametrize("min_lr", [0.0, 0.01])
def test_cosine_without_warmup_equals_cosine_annealing_lr(min_lr):
    _same(
        lambda o: S.cosine_warmup(o, total_steps=40, min_lr=min_lr),
        lambda o: L.CosineAnnealingLR(o, T_max=40, eta_min=min_lr),
        steps=41,
    )


@pytest.mark.parametrize("warmup,start_factor", [(5, 0.1), (10, 0.01), (1, 0.5)])
def test_cosine_warmup_equals_sequential_linear_then_cosine(warmup, start_factor):
    total = 50

    def reference(o):
        return L.SequentialLR(
            o,
            [
                L.LinearLR(o, start_factor=start_factor, total_iters=warmup),
                L.CosineAnnealingLR(o, T_max=total - warmup),
            ],
            milestones=[warmup],
        )

    _same(
        lambda o: S.cosine_warmup(o, total_steps=total, warmup_steps=warmup, start_factor=start_factor),
        reference,
        steps=total + 1,
    )


METRIC_RUNS = {
    "noisy-decrease": [1.0 / (1 + 0.1 * t) + 0.05 * math.sin(3 * t) for t in range(STEPS)],
    "flat": [1.0] * STEPS,
    "plateaus": [max(1.0 - 0.1 * (t // 12), 0.3) for t in range(STEPS)],
}


@pytest.mark.parametrize("run", list(METRIC_RUNS))
@pytest.mark.parametrize(
    "kwargs",
    [dict(patience=3), dict(patience=2, factor=0.5, cooldown=2), dict(patience=0, min_lr=0.01, threshold=0.05)],
)
def test_reduce_on_plateau_equals_reduce_lr_on_plateau(run, kwargs):
    _same(
        lambda o: S.ReduceOnPlateau(o, **kwargs), lambda o: L.ReduceLROnPlateau(o, **kwargs), metrics=METRIC_RUNS[run]
    )


def test_reduce_on_plateau_max_mode():
    metrics = [0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7]
    _same(
        lambda o: S.ReduceOnPlateau(o, mode="max", patience=1),
        lambda o: L.ReduceLROnPlateau(o, mode="max", patience=1),
        steps=10,
        metrics=metrics,
    )


def test_schedules_drive_course_optimizers_and_fit():
    from dlcourse.data import make_moons
    from dlcourse.training import fit

    data = make_moons(200, seed=0)
    seed_everything(0)
    model = make_mlp(2, 2, depth=1, width=8)
    opt = O.Adam(model.parameters(), lr=0.1)
    history = fit(
        model, data.train, data.val, epochs=4, optimizer=opt, scheduler=S.exponential(opt, s=2), progress=False
    )
    assert history.lr == pytest.approx([0.1 * 0.1 ** (t / 2) for t in range(4)])
    opt = O.SGD(model.parameters(), lr=0.1)
    history = fit(
        model,
        data.train,
        data.val,
        epochs=3,
        optimizer=opt,
        scheduler=S.ReduceOnPlateau(opt, patience=0, threshold=10.0),
        progress=False,
    )
    assert history.lr == pytest.approx([0.1, 0.01, 0.001])


def test_lr_curve_matches_formulas():
    assert S.lr_curve(lambda o: S.power(o, s=2, c=1), steps=4, lr=2.0) == pytest.approx([2.0, 4 / 3, 1.0, 0.8])
    assert S.lr_curve(lambda o: S.ReduceOnPlateau(o, patience=0), steps=3, lr=1.0, metrics=[1, 1, 1]) == pytest.approx(
        [1.0, 1.0, 0.1]
    )


@pytest.mark.parametrize(
    "make,error,argument",
    [
        (lambda o: S.power(o, s=0), ValueError, "s"),
        (lambda o: S.exponential(o, s=-1), ValueError, "s"),
        (lambda o: S.piecewise_constant(o, [5, 2]), ValueError, "milestones"),
        (lambda o: S.one_cycle(o, max_lr=-1, total_steps=10), ValueError, "max_lr"),
        (lambda o: S.one_cycle(o, max_lr=1, total_steps=10, pct_start=0.01), ValueError, "pct_start"),
        (lambda o: S.one_cycle(o, max_lr=1, total_steps=10, anneal="step"), ValueError, "anneal"),
        (lambda o: S.cosine_warmup(o, total_steps=10, warmup_steps=10), ValueError, "warmup_steps"),
        (lambda o: S.ReduceOnPlateau(o, factor=1.0), ValueError, "factor"),
        (lambda o: S.ReduceOnPlateau(o, mode="up"), ValueError, "mode"),
        (lambda o: S.ReduceOnPlateau(o, patience=-1), ValueError, "patience"),
        (lambda o: S.Schedule(o, 3.0), TypeError, "formula"),
    ],
)
def test_bad_arguments(make, error, argument):
    with pytest.raises(error, match=f"^{argument}"):
        make(_opt())


# --------------------------------------------------------------------------- parity with torch: the newer pieces
def _momenta(make, optimizer, steps=STEPS):
    sched = make(optimizer)
    out = []
    for _ in range(steps):
        group = optimizer.param_groups[0]
        out.append([group["lr"], group["betas"][0] if "betas" in group else group["momentum"]])
        optimizer.step()
        sched.step()
    return torch.tensor(out, dtype=torch.float64)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(three_phase=True),
        dict(anneal="linear", base_momentum=0.8),
        dict(three_phase=True, pct_start=0.25, max_momentum=0.99),
    ],
)
@pytest.mark.parametrize("family", ["sgd", "adam", "course-adam"])
def test_one_cycle_cycles_momentum_like_one_cycle_lr(kwargs, family):
    """Rate *and* momentum (SGD's momentum, Adam's beta1) step by step, against OneCycleLR's defaults."""

    def optimizer():
        p = [torch.nn.Parameter(torch.zeros(1))]
        return {
            "sgd": lambda: torch.optim.SGD(p, lr=0.1, momentum=0.9),
            "adam": lambda: torch.optim.Adam(p),
            "course-adam": lambda: O.Adam(p),
        }[family]()

    theirs_kwargs = {("anneal_strategy" if k == "anneal" else k): v for k, v in kwargs.items()}
    torch.testing.assert_close(
        _momenta(lambda o: S.one_cycle(o, max_lr=1.0, total_steps=STEPS, **kwargs), optimizer()),
        _momenta(lambda o: L.OneCycleLR(o, max_lr=1.0, total_steps=STEPS, **theirs_kwargs), optimizer()),
        rtol=1e-9,
        atol=1e-12,
    )


def test_one_cycle_needs_a_momentum_to_cycle():
    p = [torch.nn.Parameter(torch.zeros(1))]
    with pytest.raises(ValueError, match="optimizer: Adagrad has no momentum or betas"):
        S.one_cycle(torch.optim.Adagrad(p), max_lr=1.0, total_steps=10)
    S.one_cycle(torch.optim.Adagrad(p), max_lr=1.0, total_steps=10, cycle_momentum=False)


@pytest.mark.parametrize("T_0,T_mult,eta_min", [(10, 1, 0.0), (7, 2, 0.01), (3, 3, 0.0)])
def test_cosine_restarts_equals_cosine_annealing_warm_restarts(T_0, T_mult, eta_min):
    _same(
        lambda o: S.cosine_restarts(o, T_0, T_mult, eta_min),
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0, T_mult, eta_min),
    )


@pytest.mark.parametrize("step_size,gamma", [(10, 0.1), (1, 0.9), (25, 0.5)])
def test_step_decay_equals_step_lr(step_size, gamma):
    _same(lambda o: S.step_decay(o, step_size, gamma), lambda o: L.StepLR(o, step_size, gamma))


@pytest.mark.parametrize("run", list(METRIC_RUNS))
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(threshold_mode="abs", threshold=0.02, patience=2),
        dict(mode="max", threshold_mode="abs", threshold=0.01, patience=1),
        dict(patience=1, min_lr=[0.2, 0.01], factor=0.5),
    ],
)
def test_reduce_on_plateau_threshold_mode_and_per_group_min_lr(run, kwargs):
    _same(
        lambda o: S.ReduceOnPlateau(o, **kwargs), lambda o: L.ReduceLROnPlateau(o, **kwargs), metrics=METRIC_RUNS[run]
    )


def test_reduce_on_plateau_refuses_an_explicit_epoch():
    with pytest.raises(NotImplementedError, match="^epoch"):
        S.ReduceOnPlateau(_opt()).step(1.0, epoch=3)


def test_reduce_on_plateau_signature_equals_torchs():
    import inspect

    shape = lambda f: [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]  # noqa: E731
    assert shape(S.ReduceOnPlateau.__init__) == shape(L.ReduceLROnPlateau.__init__)


#: Every scheduler of the module, built on an optimizer; (ours, torch's twin or None).
SCHEDULERS = {
    "power": (lambda o: S.power(o, s=10), None),
    "exponential": (lambda o: S.exponential(o, s=10), lambda o: L.ExponentialLR(o, 0.1**0.1)),
    "piecewise_constant": (lambda o: S.piecewise_constant(o, [10, 30]), lambda o: L.MultiStepLR(o, [10, 30])),
    "one_cycle": (lambda o: S.one_cycle(o, max_lr=1.0, total_steps=STEPS), None),
    "cosine_warmup": (lambda o: S.cosine_warmup(o, STEPS, warmup_steps=5), None),
    "cosine_restarts": (lambda o: S.cosine_restarts(o, 7, 2), lambda o: L.CosineAnnealingWarmRestarts(o, 7, 2)),
    "step_decay": (lambda o: S.step_decay(o, 10), lambda o: L.StepLR(o, 10)),
    "plateau": (lambda o: S.ReduceOnPlateau(o, patience=1), lambda o: L.ReduceLROnPlateau(o, patience=1)),
}


def _advance(sched, optimizer, start, stop):
    lrs = []
    for t in range(start, stop):
        lrs.append([g["lr"] for g in optimizer.param_groups] + [optimizer.param_groups[0]["momentum"]])
        optimizer.step()
        if isinstance(sched, ReduceLROnPlateau):
            sched.step(METRIC_RUNS["plateaus"][t])
        else:
            sched.step()
    return lrs


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_every_scheduler_resumes_from_its_state_dict(name):
    """Save after 20 steps (through torch.save), load into a fresh scheduler and optimizer, run on:
    the same rates as an uninterrupted run."""
    import io

    make = SCHEDULERS[name][0]
    reference_opt = _opt(momentum=0.9)
    reference = _advance(make(reference_opt), reference_opt, 0, 40)
    first_opt = _opt(momentum=0.9)
    first = make(first_opt)
    _advance(first, first_opt, 0, 20)
    buffer = io.BytesIO()
    torch.save({"optimizer": first_opt.state_dict(), "scheduler": first.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=False)
    resumed_opt = _opt(momentum=0.9)
    resumed = make(resumed_opt)
    resumed_opt.load_state_dict(saved["optimizer"])
    resumed.load_state_dict(saved["scheduler"])
    assert _advance(resumed, resumed_opt, 20, 40) == reference[20:]


@given(name=st.sampled_from(list(SCHEDULERS)), split=st.integers(0, 39))
def test_resuming_a_scheduler_at_any_step_equals_an_uninterrupted_run(name, split):
    make = SCHEDULERS[name][0]
    reference_opt = _opt(momentum=0.9)
    reference = _advance(make(reference_opt), reference_opt, 0, 40)
    first_opt = _opt(momentum=0.9)
    first = make(first_opt)
    _advance(first, first_opt, 0, split)
    resumed_opt = _opt(momentum=0.9)
    resumed = make(resumed_opt)
    resumed_opt.load_state_dict(first_opt.state_dict())
    resumed.load_state_dict(first.state_dict())
    assert _advance(resumed, resumed_opt, split, 40) == reference[split:]


#: (scheduler, direction) pairs whose state dicts agree. Not ours -> torch for cosine_restarts:
#: CosineAnnealingWarmRestarts keeps its position in the cycle (T_cur, T_i) beside the step count,
#: while the course's formula derives it from the step count alone (documented in the module).
CROSS_LOADS = [
    (n, d)
    for n, (_, theirs) in SCHEDULERS.items()
    if theirs is not None
    for d in ("torch_to_ours", "ours_to_torch")
    if (n, d) != ("cosine_restarts", "ours_to_torch")
]


@pytest.mark.parametrize("name,direction", CROSS_LOADS)
def test_scheduler_state_dicts_load_across_torch_and_the_course(name, direction):
    ours, theirs = SCHEDULERS[name]
    source, target = (theirs, ours) if direction == "torch_to_ours" else (ours, theirs)
    reference_opt = _opt(momentum=0.9)
    reference = _advance(theirs(reference_opt), reference_opt, 0, 40)
    first_opt = _opt(momentum=0.9)
    first = source(first_opt)
    _advance(first, first_opt, 0, 20)
    resumed_opt = _opt(momentum=0.9)
    resumed = target(resumed_opt)
    resumed_opt.load_state_dict(first_opt.state_dict())
    resumed.load_state_dict(first.state_dict())
    torch.testing.assert_close(
        torch.tensor(_advance(resumed, resumed_opt, 20, 40), dtype=torch.float64),
        torch.tensor(reference[20:], dtype=torch.float64),
        rtol=1e-12,
        atol=0.0,
    )
