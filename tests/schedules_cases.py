"""What the tests of dlcourse.schedules share: a two-group optimizer, the rate trace of a scheduler and
its comparison with torch's twin, and the metric runs that drive the plateau scheduler."""

from __future__ import annotations

import math

import torch

STEPS = 60


def two_group_optimizer(lr=0.5, momentum=0.0):
    # two groups with different initial rates: every schedule must scale each one
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": lr / 5}], lr=lr, momentum=momentum)


def trace(make, steps=STEPS, metrics=None):
    opt = two_group_optimizer()
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


def same(ours, theirs, steps=STEPS, metrics=None):
    torch.testing.assert_close(trace(ours, steps, metrics), trace(theirs, steps, metrics), rtol=1e-9, atol=1e-12)


METRIC_RUNS = {
    "noisy-decrease": [1.0 / (1 + 0.1 * t) + 0.05 * math.sin(3 * t) for t in range(STEPS)],
    "flat": [1.0] * STEPS,
    "plateaus": [max(1.0 - 0.1 * (t // 12), 0.3) for t in range(STEPS)],
}
