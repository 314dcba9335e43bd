"""dlcourse.schedules.schedulers: 1cycle sets the rate and the momentum (SGD's momentum, Adam's beta1)
like OneCycleLR, and refuses an optimizer without a momentum to cycle."""

from __future__ import annotations

import pytest
import torch
from torch.optim import lr_scheduler as L

from dlcourse import optim as O
from dlcourse import schedules as S

from .schedules_cases import STEPS


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
