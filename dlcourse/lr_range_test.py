r"""The learning-rate range test: find a good learning rate before training.

:func:`lr_finder` trains for a few hundred mini-batches while the learning rate grows
geometrically from tiny to large, records the loss at each rate, and restores the model;
:func:`suggest_lr` reads a rate off the curve: smooth the losses, take the rate at their
minimum, divide it by 10 (the loss there is still falling fast, and training is stable).

Examples
--------
>>> suggest_lr([1e-4, 1e-3, 1e-2, 1e-1, 1.0], [2.3, 2.2, 1.5, 0.9, 5.0], smoothing=0.0)
0.01
"""

from __future__ import annotations

import copy
import math
from typing import Callable, Sequence

import torch
from torch import nn

from ._checks import (
    check_positive,
    check_positive_int,
    check_probability,
)
from .optim import SGD  # the course's (tested equal to torch's), which does not load TorchDynamo

__all__ = [
    "suggest_lr",
    "lr_finder",
]


def suggest_lr(lrs: Sequence[float], losses: Sequence[float], smoothing: float = 0.9, divide_by: float = 10.0) -> float:
    r"""The LR range test's rule: smooth the losses, take the learning rate at their minimum, divide by 10.

    The smoothed loss is the bias-corrected exponential moving average
    :math:`\bar\ell_i = \frac{a_i}{1 - \beta^{i+1}}` with :math:`a_i = \beta a_{i-1} + (1-\beta)\ell_i`;
    the minimum is the last point before the loss shoots up, and one order of magnitude below it is
    a rate that is fast but still safely stable. Non-finite losses are ignored.

    Parameters
    ----------
    lrs : sequence of float
        The learning rates tried, in increasing order.
    losses : sequence of float
        The loss at each rate, same length as ``lrs`` (non-empty).
    smoothing : float, default 0.9
        :math:`\beta` of the moving average, in [0, 1); 0 takes the raw losses.
    divide_by : float, default 10.0
        Divisor of the rate at the minimum, > 0.

    Returns
    -------
    float
        The suggested learning rate, ``lrs[argmin(smoothed losses)] / divide_by``.

    Raises
    ------
    ValueError
        If ``lrs`` and ``losses`` differ in length or are empty, or no loss is finite.
    """
    smoothing = check_probability(smoothing, "smoothing", allow_one=False)
    divide_by = check_positive(divide_by, "divide_by")
    if len(lrs) != len(losses) or len(lrs) == 0:
        raise ValueError(f"lrs and losses must be non-empty and of equal length, got {len(lrs)} and {len(losses)}")
    smoothed = _smooth(losses, smoothing)
    finite = [i for i, v in enumerate(smoothed) if math.isfinite(v)]
    if not finite:
        raise ValueError("losses: no finite value")
    best = min(finite, key=lambda i: smoothed[i])
    return float(lrs[best]) / divide_by


def _smooth(values: Sequence[float], beta: float) -> list[float]:
    avg, out = 0.0, []
    for i, v in enumerate(values):
        if not math.isfinite(v):
            out.append(math.inf)
            continue
        avg = beta * avg + (1 - beta) * v
        out.append(avg / (1 - beta ** (i + 1)))
    return out


def lr_finder(
    model: nn.Module,
    train,
    *,
    make_optimizer: Callable | None = None,
    loss_fn: Callable | None = None,
    lr_min: float = 1e-5,
    lr_max: float = 10.0,
    steps: int = 100,
    batch_size: int = 64,
    seed: int = 0,
    smoothing: float = 0.9,
    stop_factor: float = 4.0,
) -> dict:
    r"""LR range test (Smith, 2017): train for ``steps`` mini-batches while the learning rate grows
    geometrically from ``lr_min`` to ``lr_max``, :math:`\eta_i = \eta_{\min}(\eta_{\max}/\eta_{\min})^{i/(n-1)}`,
    and record the loss at each rate. Stops early once the loss exceeds ``stop_factor`` × its best value.

    The model's parameters and buffers are restored afterwards (the test trains it), so it can be
    trained for real next. Returns ``{"lrs", "losses", "smoothed", "suggested_lr"}`` (see :func:`suggest_lr`).

    Parameters
    ----------
    model : torch.nn.Module
        The model to test; it is trained, then restored (parameters, buffers and train/eval mode).
    train : tuple of torch.Tensor
        ``(X, y)``: inputs (first dimension = examples) and targets for ``loss_fn``.
    make_optimizer : callable, optional
        ``make_optimizer(parameters)`` returns the optimizer; its groups' ``lr`` is overwritten at every
        step. Default: the course's plain :class:`~dlcourse.optim.SGD`.
    loss_fn : callable, optional
        ``loss_fn(model(X_batch), y_batch)`` returns the scalar loss; default
        ``torch.nn.functional.cross_entropy``.
    lr_min : float, default 1e-5
        First learning rate, > 0.
    lr_max : float, default 10.0
        Last learning rate, > ``lr_min``.
    steps : int, default 100
        Number of mini-batches (and rates), >= 1.
    batch_size : int, default 64
        Mini-batch size, >= 1; the batches are drawn without replacement from a shuffled order,
        reshuffled when fewer than ``batch_size`` examples are left.
    seed : int, default 0
        Seed of the shuffling.
    smoothing : float, default 0.9
        :math:`\beta` of the moving average, in [0, 1) (see :func:`suggest_lr`).
    stop_factor : float, default 4.0
        Stop once the loss exceeds ``stop_factor`` times the best loss so far (or is not finite); > 0.

    Returns
    -------
    dict
        ``"lrs"`` and ``"losses"``: the rates tried and the loss of each mini-batch (lists of float,
        shorter than ``steps`` after an early stop); ``"smoothed"``: the bias-corrected moving average
        of the losses (``inf`` where a loss is not finite); ``"suggested_lr"``: ``suggest_lr(lrs, losses,
        smoothing)``, a float.

    Raises
    ------
    ValueError
        If an argument is out of range (``smoothing`` is only checked after the test has run).
    """
    import torch.nn.functional as F

    from .runtime import make_generator

    lr_min, lr_max = check_positive(lr_min, "lr_min"), check_positive(lr_max, "lr_max")
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must be > lr_min, got {lr_max} <= {lr_min}")
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    stop_factor = check_positive(stop_factor, "stop_factor")
    loss_fn = loss_fn or F.cross_entropy
    make_optimizer = make_optimizer or (lambda p: SGD(p, lr=lr_min))
    X, y = train
    saved = copy.deepcopy(model.state_dict())
    was_training = model.training
    optimizer = make_optimizer(model.parameters())
    generator = make_generator(seed)
    ratio = (lr_max / lr_min) ** (1.0 / max(steps - 1, 1))
    lrs, losses, best = [], [], math.inf
    order = torch.randperm(len(X), generator=generator)
    position = 0
    model.train()
    try:
        for i in range(steps):
            lr = lr_min * ratio**i
            for group in optimizer.param_groups:
                group["lr"] = lr
            if position + batch_size > len(X):
                order, position = torch.randperm(len(X), generator=generator), 0
            idx = order[position : position + batch_size]
            position += batch_size
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            value = loss.item()
            lrs.append(lr)
            losses.append(value)
            best = min(best, value)
            if not math.isfinite(value) or value > stop_factor * best:
                break
    finally:
        model.load_state_dict(saved)
        model.train(was_training)
    return {
        "lrs": lrs,
        "losses": losses,
        "smoothed": _smooth(losses, smoothing),
        "suggested_lr": suggest_lr(lrs, losses, smoothing),
    }
