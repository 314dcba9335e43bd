"""dlcourse.schedules against torch.optim.lr_scheduler, step by step; the LR range test."""

from __future__ import annotations

import math

import pytest
import torch
from torch.optim import lr_scheduler as L

from dlcourse import optim as O
from dlcourse import schedules as S
from dlcourse.data import load_digits
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


@pytest.mark.parametrize("kwargs", [dict(), dict(pct_start=0.25, anneal="linear"),
                                    dict(pct_start=0.5, div_factor=10.0, final_div_factor=100.0)])
def test_one_cycle_equals_one_cycle_lr(kwargs):
    torch_kwargs = {("anneal_strategy" if k == "anneal" else k): v for k, v in kwargs.items()}
    _same(lambda o: S.one_cycle(o, max_lr=1.0, total_steps=STEPS, **kwargs),
          lambda o: L.OneCycleLR(o, max_lr=1.0, total_steps=STEPS, cycle_momentum=False, **torch_kwargs))


@pytest.mark.parametrize("min_lr", [0.0, 0.01])
def test_cosine_without_warmup_equals_cosine_annealing_lr(min_lr):
    _same(lambda o: S.cosine_warmup(o, total_steps=40, min_lr=min_lr),
          lambda o: L.CosineAnnealingLR(o, T_max=40, eta_min=min_lr), steps=41)


@pytest.mark.parametrize("warmup,start_factor", [(5, 0.1), (10, 0.01), (1, 0.5)])
def test_cosine_warmup_equals_sequential_linear_then_cosine(warmup, start_factor):
    total = 50

    def reference(o):
        return L.SequentialLR(o, [L.LinearLR(o, start_factor=start_factor, total_iters=warmup),
                                  L.CosineAnnealingLR(o, T_max=total - warmup)], milestones=[warmup])

    _same(lambda o: S.cosine_warmup(o, total_steps=total, warmup_steps=warmup, start_factor=start_factor),
          reference, steps=total + 1)


METRIC_RUNS = {
    "noisy-decrease": [1.0 / (1 + 0.1 * t) + 0.05 * math.sin(3 * t) for t in range(STEPS)],
    "flat": [1.0] * STEPS,
    "plateaus": [max(1.0 - 0.1 * (t // 12), 0.3) for t in range(STEPS)],
}


@pytest.mark.parametrize("run", list(METRIC_RUNS))
@pytest.mark.parametrize("kwargs", [dict(patience=3), dict(patience=2, factor=0.5, cooldown=2),
                                    dict(patience=0, min_lr=0.01, threshold=0.05)])
def test_reduce_on_plateau_equals_reduce_lr_on_plateau(run, kwargs):
    _same(lambda o: S.ReduceOnPlateau(o, **kwargs), lambda o: L.ReduceLROnPlateau(o, **kwargs),
          metrics=METRIC_RUNS[run])


def test_reduce_on_plateau_max_mode():
    metrics = [0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7]
    _same(lambda o: S.ReduceOnPlateau(o, mode="max", patience=1),
          lambda o: L.ReduceLROnPlateau(o, mode="max", patience=1), steps=10, metrics=metrics)


def test_schedules_drive_course_optimizers_and_fit():
    from dlcourse.data import make_moons
    from dlcourse.training import fit

    data = make_moons(200, seed=0)
    seed_everything(0)
    model = make_mlp(2, 2, depth=1, width=8)
    opt = O.Adam(model.parameters(), lr=0.1)
    history = fit(model, data.train, data.val, epochs=4, optimizer=opt,
                  scheduler=S.exponential(opt, s=2), progress=False)
    assert history.lr == pytest.approx([0.1 * 0.1 ** (t / 2) for t in range(4)])
    opt = O.SGD(model.parameters(), lr=0.1)
    history = fit(model, data.train, data.val, epochs=3, optimizer=opt,
                  scheduler=S.ReduceOnPlateau(opt, patience=0, threshold=10.0), progress=False)
    assert history.lr == pytest.approx([0.1, 0.01, 0.001])


def test_lr_curve_matches_formulas():
    assert S.lr_curve(lambda o: S.power(o, s=2, c=1), steps=4, lr=2.0) == pytest.approx([2.0, 4 / 3, 1.0, 0.8])
    assert S.lr_curve(lambda o: S.ReduceOnPlateau(o, patience=0), steps=3, lr=1.0,
                      metrics=[1, 1, 1]) == pytest.approx([1.0, 1.0, 0.1])


@pytest.mark.parametrize("make,error,argument", [
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
])
def test_bad_arguments(make, error, argument):
    with pytest.raises(error, match=f"^{argument}"):
        make(_opt())


# --------------------------------------------------------------------------- LR range test
@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_lr_finder_restores_the_model_and_suggests_a_sane_rate(digits):
    seed_everything(0)
    model = make_mlp(64, 10, depth=1, width=32)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.eval()
    result = S.lr_finder(model, digits.train, lr_min=1e-4, lr_max=10.0, steps=80)
    assert not model.training  # mode restored
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k
    lrs, losses = result["lrs"], result["losses"]
    assert len(lrs) == len(losses) == len(result["smoothed"]) <= 80
    assert all(b > a for a, b in zip(lrs, lrs[1:]))
    assert 1e-4 <= result["suggested_lr"] <= 1.0
    assert result["suggested_lr"] == pytest.approx(S.suggest_lr(lrs, losses))


def test_lr_finder_stops_when_the_loss_explodes(digits):
    seed_everything(0)
    model = make_mlp(64, 10, depth=1, width=32)
    result = S.lr_finder(model, digits.train, lr_min=1e-3, lr_max=1e4, steps=100)
    assert len(result["lrs"]) < 100


def test_suggest_lr_rule():
    lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    losses = [2.3, 2.2, 1.0, 0.5, 50.0]
    assert S.suggest_lr(lrs, losses, smoothing=0.0) == pytest.approx(1e-2)
    assert S.suggest_lr(lrs, losses[:-1] + [float("nan")], smoothing=0.0) == pytest.approx(1e-2)
    with pytest.raises(ValueError, match="^lrs"):
        S.suggest_lr([1e-3], [1.0, 2.0])
    with pytest.raises(ValueError, match="^smoothing"):
        S.suggest_lr(lrs, losses, smoothing=1.0)


def test_lr_finder_bad_range(digits):
    with pytest.raises(ValueError, match="^lr_max"):
        S.lr_finder(make_mlp(64, 10, depth=1, width=8), digits.train, lr_min=1.0, lr_max=0.1)
