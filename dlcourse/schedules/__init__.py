r"""Learning-rate schedules, written as closed-form formulas of the step :math:`t` (the LR range test
that finds a starting rate is in :mod:`dlcourse.lr_range_test`).

Each schedule is a :class:`torch.optim.lr_scheduler.LRScheduler`, so it works with any
optimizer (``torch.optim`` or :mod:`dlcourse.optim`) and with :func:`dlcourse.training.fit`
(which steps it once per epoch). ``t`` counts calls to ``scheduler.step()``, starting at 0.
The formula of each schedule is a plain function of ``t`` (``power_lr``, ``exponential_lr``,
...) that the scheduler evaluates for every parameter group's initial learning rate
:math:`\eta_0`. :func:`lr_curve` tabulates any schedule for plotting.

Each scheduler's ``state_dict()`` holds its progress (the step count and the last rates), so
training resumes exactly where it stopped; like ``LambdaLR``, it does not hold the formula,
which the constructor rebuilds. **Where it differs from torch.optim.lr_scheduler:** the
schedules are factory functions of the formula's own parameters (:func:`one_cycle` takes
``total_steps``, not ``epochs``/``steps_per_epoch``, and names its annealing ``anneal``, not
``anneal_strategy``); :func:`cosine_warmup` holds :math:`\eta_{\min}` after ``total_steps`` where
``CosineAnnealingLR`` would climb back up; :func:`cosine_restarts` cannot be resumed *by torch's*
``CosineAnnealingWarmRestarts`` (the other way works); :class:`ReduceOnPlateau` refuses
``step(metrics, epoch)`` with an explicit epoch (torch deprecated it).

:class:`ReduceOnPlateau` ("performance scheduling") is stepped with a validation metric
instead; it subclasses ``torch.optim.lr_scheduler.ReduceLROnPlateau`` so that
:func:`~dlcourse.training.fit` passes it the validation loss.

The package: ``formulas`` (the closed-form rates of the step), ``schedulers`` (:class:`Schedule` and
its factories), ``plateau`` (:class:`ReduceOnPlateau`), ``curve`` (:func:`lr_curve`). Import
everything from ``dlcourse.schedules``: this page documents it all.

Examples
--------
>>> [round(lr, 4) for lr in lr_curve(lambda opt: exponential(opt, s=2), steps=5, lr=1.0)]
[1.0, 0.3162, 0.1, 0.0316, 0.01]
"""

from __future__ import annotations

from ..lr_range_test import lr_finder, suggest_lr  # noqa: F401 - the names notebooks and labs call
from .curve import lr_curve
from .formulas import (
    cosine_restarts_lr,
    cosine_warmup_lr,
    exponential_lr,
    one_cycle_lr,
    one_cycle_momentum,
    piecewise_constant_lr,
    power_lr,
    step_decay_lr,
)
from .plateau import ReduceOnPlateau
from .schedulers import (
    Schedule,
    cosine_restarts,
    cosine_warmup,
    exponential,
    one_cycle,
    piecewise_constant,
    power,
    step_decay,
)

__all__ = [
    "power_lr",
    "exponential_lr",
    "piecewise_constant_lr",
    "one_cycle_lr",
    "one_cycle_momentum",
    "cosine_warmup_lr",
    "cosine_restarts_lr",
    "step_decay_lr",
    "Schedule",
    "power",
    "exponential",
    "piecewise_constant",
    "one_cycle",
    "cosine_warmup",
    "cosine_restarts",
    "step_decay",
    "ReduceOnPlateau",
    "lr_curve",
]
