"""Tabulating a schedule for plotting: :func:`lr_curve` runs any scheduler on a dummy optimizer and
records the rate at each step."""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn
from torch.optim.lr_scheduler import ReduceLROnPlateau

from .._checks import check_positive_int
from ..optim import SGD  # the course's (tested equal to torch's), which does not load TorchDynamo

__all__ = [
    "lr_curve",
]


def lr_curve(
    make_scheduler: Callable[[torch.optim.Optimizer], object],
    steps: int,
    lr: float = 1.0,
    metrics: Sequence[float] | None = None,
) -> list[float]:
    """The learning rate at steps ``0 .. steps-1`` of ``make_scheduler(optimizer)`` on a dummy optimizer
    whose initial rate is ``lr``; ``metrics`` (one per step) feed a :class:`ReduceOnPlateau`.

    Parameters
    ----------
    make_scheduler : callable
        ``make_scheduler(optimizer)`` returns the scheduler to tabulate (one of this module's, or any
        ``torch.optim.lr_scheduler`` scheduler); the optimizer is a plain SGD without momentum.
    steps : int
        Number of steps to tabulate (>= 1).
    lr : float, default 1.0
        The dummy optimizer's initial learning rate.
    metrics : sequence of float, optional
        The metric passed to a ``ReduceLROnPlateau`` at each step (at least ``steps`` values); by
        default the constant 1.0, which never improves. Ignored by other schedulers.

    Returns
    -------
    list of float
        The rate in use at each step ``0 .. steps-1``, before that step's ``scheduler.step()``.
    """
    steps = check_positive_int(steps, "steps")
    optimizer = SGD([nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for t in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(metrics[t] if metrics is not None else 1.0)
        else:
            scheduler.step()
    return lrs
