"""dlcourse.schedules (the package): every scheduler checks its arguments, drives fit, resumes from its
state dict, and loads state dicts across torch.optim.lr_scheduler and the course.
(The tests of each module are in tests/test_schedules_<module>.py, for dlcourse/schedules/<module>.py.)"""

from __future__ import annotations

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

from .schedules_cases import METRIC_RUNS, STEPS
from .schedules_cases import two_group_optimizer as _opt


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
