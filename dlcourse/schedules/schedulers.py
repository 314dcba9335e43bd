"""The formula-driven scheduler :class:`Schedule`, which sets each group's rate (and, for 1cycle, its
momentum) to a formula of the step, and the factories that build one per closed-form formula."""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch.optim.lr_scheduler import LRScheduler

from .._checks import (
    check_bool,
    check_choice,
    check_nonnegative,
    check_positive,
    check_positive_int,
    check_probability,
)
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

__all__ = [
    "Schedule",
    "power",
    "exponential",
    "piecewise_constant",
    "one_cycle",
    "cosine_warmup",
    "cosine_restarts",
    "step_decay",
]


class Schedule(LRScheduler):
    r"""A scheduler that sets each group's rate to ``formula(t, lr0)``, with :math:`t` the number of
    ``step()`` calls so far and ``lr0`` the group's initial learning rate.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer whose groups' ``lr`` are set.
    formula : callable
        ``formula(t, lr0) -> float``, the rate at step ``t`` of a group whose initial rate is ``lr0``.
    name : str, default ""
        Shown by ``repr``; the formula's own ``repr`` when empty.

    Raises
    ------
    TypeError
        If ``formula`` is not callable.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, formula: Callable[[int, float], float], name: str = ""):
        if not callable(formula):
            raise TypeError(f"formula must be callable, got {type(formula).__name__}")
        self.formula = formula
        self.name = name
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        """The rates ``formula(t, lr0)`` of the groups at the current step (called by ``step()``).

        Returns
        -------
        list of float
            One rate per parameter group.
        """
        return [self.formula(self.last_epoch, lr0) for lr0 in self.base_lrs]

    def state_dict(self) -> dict:
        """The scheduler's progress (step count, last rates), without the formula: the formula is
        the constructor's business, as in ``LambdaLR``, and a closure could not be saved with ``torch.save``.

        Returns
        -------
        dict
            The scheduler's attributes except ``optimizer``, ``formula`` and ``name``.
        """
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "formula", "name")}

    def __repr__(self) -> str:
        return f"Schedule({self.name or self.formula!r})"


def power(optimizer, s: float, c: float = 1.0) -> Schedule:
    """Power scheduling (:func:`power_lr`); equals ``LambdaLR(lambda t: (1 + t/s) ** -c)``.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to schedule.
    s : float
        Step scale, > 0.
    c : float, default 1.0
        Power, >= 0.

    Returns
    -------
    Schedule
        The scheduler; step it once per step (or epoch).
    """
    s, c = check_positive(s, "s"), check_nonnegative(c, "c")
    return Schedule(optimizer, lambda t, lr0: power_lr(t, lr0, s, c), f"power(s={s}, c={c})")


def exponential(optimizer, s: float) -> Schedule:
    """Exponential scheduling :math:`\\eta_0\\,0.1^{t/s}` (:func:`exponential_lr`).

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to schedule.
    s : float
        Steps per tenfold decrease, > 0.

    Returns
    -------
    Schedule
        The scheduler.
    """
    s = check_positive(s, "s")
    return Schedule(optimizer, lambda t, lr0: exponential_lr(t, lr0, s), f"exponential(s={s})")


def piecewise_constant(optimizer, milestones: Sequence[int], gamma: float = 0.1) -> Schedule:
    """Multiply the rate by ``gamma`` at each of the (increasing) ``milestones`` (:func:`piecewise_constant_lr`).

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to schedule.
    milestones : sequence of int
        Steps at which the rate is multiplied by ``gamma``; each >= 1, in sorted order (a repeated
        milestone is not refused: it multiplies twice).
    gamma : float, default 0.1
        Multiplicative factor, > 0.

    Returns
    -------
    Schedule
        The scheduler.

    Raises
    ------
    ValueError
        If the milestones are not sorted or one is < 1, or ``gamma <= 0``.
    """
    milestones = [check_positive_int(m, "milestones") for m in milestones]
    if milestones != sorted(milestones):
        raise ValueError(f"milestones must be increasing, got {milestones}")
    gamma = check_positive(gamma, "gamma")
    return Schedule(
        optimizer,
        lambda t, lr0: piecewise_constant_lr(t, lr0, milestones, gamma),
        f"piecewise_constant({milestones}, gamma={gamma})",
    )


def one_cycle(
    optimizer,
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    anneal: str = "cos",
    *,
    cycle_momentum: bool = True,
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    three_phase: bool = False,
) -> Schedule:
    """1cycle (:func:`one_cycle_lr`); the rate ignores the optimizer's own ``lr``, as in ``OneCycleLR``.

    As in ``OneCycleLR``, the momentum is cycled too by default (:func:`one_cycle_momentum`,
    0.95 → 0.85 → 0.95): the group's ``momentum`` (SGD, RMSprop) or ``betas[0]`` (the Adam family) is
    overwritten at every step. ``cycle_momentum=False`` leaves it alone. The optimizer must have a
    momentum or betas to cycle.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to schedule; its own ``lr`` is ignored.
    max_lr : float
        Peak learning rate, > 0.
    total_steps : int
        Length of the cycle, in steps (>= 1).
    pct_start : float, default 0.3
        Fraction of the cycle spent warming up, in [0, 1]; it must leave at least two warm-up steps
        (``pct_start * total_steps >= 2``) and a last phase of at least one step.
    div_factor : float, default 25.0
        The cycle starts at ``max_lr / div_factor``; > 0.
    final_div_factor : float, default 1e4
        The cycle ends at ``max_lr / div_factor / final_div_factor``; > 0.
    anneal : {"cos", "linear"}, default "cos"
        Cosine or linear interpolation between the phase ends.
    cycle_momentum : bool, default True
        Also cycle the momentum (keyword-only).
    base_momentum : float, default 0.85
        Momentum at the rate's peak, in [0, 1] (keyword-only; used with ``cycle_momentum``).
    max_momentum : float, default 0.95
        Momentum at the start and end of the cycle, in [0, 1] and >= ``base_momentum`` (keyword-only).
    three_phase : bool, default False
        fast.ai's three-phase variant (keyword-only; see :func:`one_cycle_lr`).

    Returns
    -------
    Schedule
        The scheduler; step it once per batch, ``total_steps`` times.

    Raises
    ------
    ValueError
        If an argument is out of range, or ``cycle_momentum`` is set and the optimizer has neither
        ``momentum`` nor ``betas``.
    """
    max_lr = check_positive(max_lr, "max_lr")
    total_steps = check_positive_int(total_steps, "total_steps")
    pct_start = check_probability(pct_start, "pct_start")
    last_end = 2 * pct_start * total_steps - 2 if three_phase else pct_start * total_steps - 1
    if not (1 <= pct_start * total_steps - 1 and last_end < total_steps - 1):
        raise ValueError(f"pct_start={pct_start} leaves no warm-up or no annealing phase for {total_steps} steps")
    div_factor, final_div_factor = (
        check_positive(div_factor, "div_factor"),
        check_positive(final_div_factor, "final_div_factor"),
    )
    check_choice(anneal, "anneal", ("cos", "linear"))

    def lr(t, lr0):
        return one_cycle_lr(t, max_lr, total_steps, pct_start, div_factor, final_div_factor, anneal, three_phase)

    if not check_bool(cycle_momentum, "cycle_momentum"):
        return Schedule(optimizer, lr, f"one_cycle(max_lr={max_lr})")
    base_momentum = check_probability(base_momentum, "base_momentum")
    max_momentum = check_probability(max_momentum, "max_momentum")
    if base_momentum > max_momentum:
        raise ValueError(f"base_momentum must be <= max_momentum, got {base_momentum} > {max_momentum}")

    def momentum(t):
        return one_cycle_momentum(t, total_steps, pct_start, base_momentum, max_momentum, anneal, three_phase)

    return _MomentumSchedule(optimizer, lr, momentum, f"one_cycle(max_lr={max_lr}, cycle_momentum=True)")


class _MomentumSchedule(Schedule):
    """A :class:`Schedule` that also sets each group's momentum (or Adam's β₁) to ``momentum(t)``."""

    def __init__(self, optimizer, formula, momentum: Callable[[int], float], name: str = ""):
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        self.use_beta1 = "betas" in optimizer.defaults
        if not self.use_beta1 and "momentum" not in optimizer.defaults:
            raise ValueError(
                f"optimizer: {type(optimizer).__name__} has no momentum or betas to cycle; pass cycle_momentum=False"
            )
        self.momentum = momentum
        super().__init__(optimizer, formula, name)

    def get_lr(self) -> list[float]:
        m = self.momentum(self.last_epoch)
        for group in self.optimizer.param_groups:
            if self.use_beta1:
                group["betas"] = (m, *group["betas"][1:])
            else:
                group["momentum"] = m
        return super().get_lr()

    def state_dict(self) -> dict:  # noqa: D102 - as Schedule's
        return {k: v for k, v in super().state_dict().items() if k != "momentum"}


def cosine_restarts(optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0) -> Schedule:
    """Cosine annealing with warm restarts (:func:`cosine_restarts_lr`); equals
    ``CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min)`` stepped once per step.

    Its state dict holds the step count only (the position in the cycle follows from it), so it
    loads torch's state dict, but torch's scheduler cannot resume from this one: it also keeps
    ``T_cur`` and ``T_i``. Fractional epochs (``step(epoch=1.5)``) are not supported.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to schedule.
    T_0 : int
        Length of the first cycle, in steps (>= 1).
    T_mult : int, default 1
        Factor by which each cycle is longer than the previous one (>= 1).
    eta_min : float, default 0.0
        Lowest rate, reached at the end of each cycle; >= 0.

    Returns
    -------
    Schedule
        The scheduler.
    """
    T_0 = check_positive_int(T_0, "T_0")
    T_mult = check_positive_int(T_mult, "T_mult")
    eta_min = check_nonnegative(eta_min, "eta_min")
    return Schedule(
        optimizer,
        lambda t, lr0: cosine_restarts_lr(t, lr0, T_0, T_mult, eta_min),
        f"cosine_restarts(T_0={T_0}, T_mult={T_mult})",
    )


def step_decay(optimizer, step_size: int, gamma: float = 0.1) -> Schedule:
    """Multiply the rate by ``gamma`` every ``step_size`` steps (:func:`step_decay_lr`); equals ``StepLR``.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to schedule.
    step_size : int
        Steps between two multiplications (>= 1).
    gamma : float, default 0.1
        Multiplicative factor, > 0.

    Returns
    -------
    Schedule
        The scheduler.
    """
    step_size = check_positive_int(step_size, "step_size")
    gamma = check_positive(gamma, "gamma")
    return Schedule(
        optimizer,
        lambda t, lr0: step_decay_lr(t, lr0, step_size, gamma),
        f"step_decay(step_size={step_size}, gamma={gamma})",
    )


def cosine_warmup(
    optimizer, total_steps: int, warmup_steps: int = 0, min_lr: float = 0.0, start_factor: float = 0.0
) -> Schedule:
    """Linear warm-up for ``warmup_steps``, then cosine annealing to ``min_lr`` at ``total_steps`` (:func:`cosine_warmup_lr`).

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to schedule; each group's initial ``lr`` is the peak rate.
    total_steps : int
        The step at which the annealing reaches ``min_lr`` (>= 1).
    warmup_steps : int, default 0
        Length of the linear warm-up, in ``[0, total_steps)``.
    min_lr : float, default 0.0
        The rate at and after ``total_steps``; >= 0.
    start_factor : float, default 0.0
        The warm-up starts at ``start_factor`` times the initial rate; in [0, 1].

    Returns
    -------
    Schedule
        The scheduler.
    """
    total_steps = check_positive_int(total_steps, "total_steps")
    if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, int) or not 0 <= warmup_steps < total_steps:
        raise ValueError(f"warmup_steps must be an int in [0, total_steps), got {warmup_steps!r}")
    min_lr = check_nonnegative(min_lr, "min_lr")
    start_factor = check_probability(start_factor, "start_factor")
    return Schedule(
        optimizer,
        lambda t, lr0: cosine_warmup_lr(t, lr0, total_steps, warmup_steps, min_lr, start_factor),
        f"cosine_warmup(total={total_steps}, warmup={warmup_steps})",
    )
