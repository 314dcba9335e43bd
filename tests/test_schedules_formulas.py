"""dlcourse.schedules.formulas: each closed-form rate, through its scheduler, equals its
torch.optim.lr_scheduler twin step by step (1cycle's momentum: tests/test_schedules_schedulers.py)."""

from __future__ import annotations

import pytest
from torch.optim import lr_scheduler as L

from dlcourse import schedules as S

from .schedules_cases import STEPS
from .schedules_cases import same as _same


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


@pytest.mark.parametrize("T_0,T_mult,eta_min", [(10, 1, 0.0), (7, 2, 0.01), (3, 3, 0.0)])
def test_cosine_restarts_equals_cosine_annealing_warm_restarts(T_0, T_mult, eta_min):
    _same(
        lambda o: S.cosine_restarts(o, T_0, T_mult, eta_min),
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0, T_mult, eta_min),
    )


@pytest.mark.parametrize("step_size,gamma", [(10, 0.1), (1, 0.9), (25, 0.5)])
def test_step_decay_equals_step_lr(step_size, gamma):
    _same(lambda o: S.step_decay(o, step_size, gamma), lambda o: L.StepLR(o, step_size, gamma))
