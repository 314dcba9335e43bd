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

Examples
--------
>>> [round(lr, 4) for lr in lr_curve(lambda opt: exponential(opt, s=2), steps=5, lr=1.0)]
[1.0, 0.3162, 0.1, 0.0316, 0.01]
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

from ._checks import (
    check_bool,
    check_choice,
    check_nonnegative,
    check_number,
    check_positive,
    check_positive_int,
    check_probability,
)
from .lr_range_test import lr_finder, suggest_lr  # noqa: F401 - the names notebooks and labs call
from .optim import SGD  # the course's (tested equal to torch's), which does not load TorchDynamo

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


# --------------------------------------------------------------------------- formulas
def power_lr(t: int, lr0: float, s: float, c: float = 1.0) -> float:
    r"""Power scheduling: :math:`\eta_t = \eta_0 / (1 + t/s)^c` — halves-ish quickly, then ever more slowly."""
    return lr0 / (1.0 + t / s) ** c


def exponential_lr(t: int, lr0: float, s: float) -> float:
    r"""Exponential scheduling: :math:`\eta_t = \eta_0 \cdot 0.1^{t/s}` — divided by 10 every :math:`s` steps.

    It is PyTorch's ``ExponentialLR`` with :math:`\gamma = 0.1^{1/s}`.
    """
    return lr0 * 0.1 ** (t / s)


def piecewise_constant_lr(t: int, lr0: float, milestones: Sequence[int], gamma: float = 0.1) -> float:
    r"""Piecewise constant: :math:`\eta_t = \eta_0\,\gamma^{\#\{m \in \text{milestones} : m \le t\}}`."""
    return lr0 * gamma ** sum(1 for m in milestones if m <= t)


def _one_cycle_phase(t: int, total_steps: int, pct_start: float, three_phase: bool) -> tuple[int, float]:
    """Which phase of 1cycle step ``t`` is in (0, 1 or 2) and how far through it (PyTorch's phase ends)."""
    ends = [float(pct_start * total_steps) - 1]
    if three_phase:
        ends.append(float(2 * pct_start * total_steps) - 2)
    ends.append(float(total_steps - 1))
    start = 0.0
    for phase, end in enumerate(ends):
        if t <= end or phase == len(ends) - 1:
            return phase, (t - start) / (end - start)
        start = end
    raise AssertionError("unreachable")


def one_cycle_lr(
    t: int,
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    anneal: str = "cos",
    three_phase: bool = False,
) -> float:
    r"""1cycle (Smith, 2018): warm up from :math:`\eta_{\max}/d` to :math:`\eta_{\max}`, then anneal to
    :math:`\eta_{\max}/(d\,f)`.

    With :math:`T_1 = \text{pct\_start}\cdot T - 1` and :math:`T_2 = T - 1` (PyTorch's phase ends), and
    :math:`\operatorname{cos\_anneal}(a, b, p) = b + \tfrac{a-b}{2}(1 + \cos \pi p)`:

    .. math::
        \eta_t = \begin{cases} \operatorname{anneal}(\eta_{\max}/d,\ \eta_{\max},\ t / T_1) & t \le T_1 \\
                 \operatorname{anneal}(\eta_{\max},\ \eta_{\max}/(d f),\ (t - T_1)/(T_2 - T_1)) & t > T_1 \end{cases}

    ``anneal="linear"`` interpolates linearly instead. ``three_phase=True`` (fast.ai's variant) goes
    back down to :math:`\eta_{\max}/d` by :math:`T_1' = 2\,\text{pct\_start}\cdot T - 2`, then
    anneals to :math:`\eta_{\max}/(d f)` by :math:`T - 1`.
    """
    initial, final = max_lr / div_factor, max_lr / div_factor / final_div_factor
    ends = (
        [(initial, max_lr), (max_lr, initial), (initial, final)]
        if three_phase
        else [(initial, max_lr), (max_lr, final)]
    )
    phase, p = _one_cycle_phase(t, total_steps, pct_start, three_phase)
    return (_cos_interp if anneal == "cos" else _linear_interp)(*ends[phase], p)


def one_cycle_momentum(
    t: int,
    total_steps: int,
    pct_start: float = 0.3,
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    anneal: str = "cos",
    three_phase: bool = False,
) -> float:
    r"""1cycle's momentum, the mirror image of its learning rate: from ``max_momentum`` down to
    ``base_momentum`` while the rate warms up, and back up while it anneals (PyTorch's
    ``OneCycleLR(cycle_momentum=True)``; with ``three_phase`` it stays at ``max_momentum`` in the last phase).

    A high rate with high momentum would be too big a step; lowering momentum at the peak keeps
    the effective step :math:`\eta/(1-\beta)` in check.
    """
    ends = (
        [(max_momentum, base_momentum), (base_momentum, max_momentum), (max_momentum, max_momentum)]
        if three_phase
        else [(max_momentum, base_momentum), (base_momentum, max_momentum)]
    )
    phase, p = _one_cycle_phase(t, total_steps, pct_start, three_phase)
    return (_cos_interp if anneal == "cos" else _linear_interp)(*ends[phase], p)


def cosine_restarts_lr(t: int, lr0: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0) -> float:
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter, 2017).

    .. math::
        \eta_t = \eta_{\min} + \frac{\eta_0 - \eta_{\min}}{2}\left(1 + \cos\frac{\pi\,T_{cur}}{T_i}\right)

    where the :math:`i`-th cycle lasts :math:`T_i = T_0\,T_{mult}^{\,i}` steps and :math:`T_{cur}` counts
    the steps since the last restart (PyTorch's ``CosineAnnealingWarmRestarts``).
    """
    if T_mult == 1:
        t_cur, t_i = t % T_0, T_0
    else:
        n = int(math.log(t / T_0 * (T_mult - 1) + 1, T_mult))
        t_cur, t_i = t - T_0 * (T_mult**n - 1) / (T_mult - 1), T_0 * T_mult**n
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2


def step_decay_lr(t: int, lr0: float, step_size: int, gamma: float = 0.1) -> float:
    r"""Step decay: :math:`\eta_t = \eta_0\,\gamma^{\lfloor t / \text{step\_size} \rfloor}` (PyTorch's ``StepLR``)."""
    return lr0 * gamma ** (t // step_size)


def _cos_interp(start: float, end: float, p: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * p) + 1)


def _linear_interp(start: float, end: float, p: float) -> float:
    return (end - start) * p + start


def cosine_warmup_lr(
    t: int, lr0: float, total_steps: int, warmup_steps: int = 0, min_lr: float = 0.0, start_factor: float = 0.0
) -> float:
    r"""Cosine annealing with linear warm-up.

    .. math::
        \eta_t = \begin{cases}
          \eta_0\left(f + (1-f)\,\dfrac{t}{W}\right) & t < W \\[4pt]
          \eta_{\min} + \dfrac{\eta_0 - \eta_{\min}}{2}\left(1 + \cos\dfrac{\pi (t - W)}{T - W}\right) & W \le t \le T
        \end{cases}

    where :math:`W` = ``warmup_steps``, :math:`T` = ``total_steps`` and :math:`f` = ``start_factor``;
    after :math:`T` the rate stays at :math:`\eta_{\min}`.
    """
    if t < warmup_steps:
        return lr0 * (start_factor + (1.0 - start_factor) * t / warmup_steps)
    p = min(t - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (lr0 - min_lr) * (1.0 + math.cos(math.pi * p)) / 2.0


# --------------------------------------------------------------------------- schedulers
class Schedule(LRScheduler):
    r"""A scheduler that sets each group's rate to ``formula(t, lr0)``, with :math:`t` the number of
    ``step()`` calls so far and ``lr0`` the group's initial learning rate."""

    def __init__(self, optimizer: torch.optim.Optimizer, formula: Callable[[int, float], float], name: str = ""):
        if not callable(formula):
            raise TypeError(f"formula must be callable, got {type(formula).__name__}")
        self.formula = formula
        self.name = name
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        return [self.formula(self.last_epoch, lr0) for lr0 in self.base_lrs]

    def state_dict(self) -> dict:
        """The scheduler's progress (step count, last rates), without the formula: the formula is
        the constructor's business, as in ``LambdaLR``, and a closure could not be saved with ``torch.save``."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "formula", "name")}

    def __repr__(self) -> str:
        return f"Schedule({self.name or self.formula!r})"


def power(optimizer, s: float, c: float = 1.0) -> Schedule:
    """Power scheduling (:func:`power_lr`); equals ``LambdaLR(lambda t: (1 + t/s) ** -c)``."""
    s, c = check_positive(s, "s"), check_nonnegative(c, "c")
    return Schedule(optimizer, lambda t, lr0: power_lr(t, lr0, s, c), f"power(s={s}, c={c})")


def exponential(optimizer, s: float) -> Schedule:
    """Exponential scheduling :math:`\\eta_0\\,0.1^{t/s}` (:func:`exponential_lr`)."""
    s = check_positive(s, "s")
    return Schedule(optimizer, lambda t, lr0: exponential_lr(t, lr0, s), f"exponential(s={s})")


def piecewise_constant(optimizer, milestones: Sequence[int], gamma: float = 0.1) -> Schedule:
    """Multiply the rate by ``gamma`` at each of the (increasing) ``milestones`` (:func:`piecewise_constant_lr`)."""
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
    """Multiply the rate by ``gamma`` every ``step_size`` steps (:func:`step_decay_lr`); equals ``StepLR``."""
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
    """Linear warm-up for ``warmup_steps``, then cosine annealing to ``min_lr`` at ``total_steps`` (:func:`cosine_warmup_lr`)."""
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


class ReduceOnPlateau(ReduceLROnPlateau):
    r"""Performance scheduling: multiply the rate by ``factor`` when the metric stops improving.

    After each ``step(metric)``: the metric *improves* if it beats the best value so far by the
    threshold :math:`\tau`:

    ==========  ===================================  ===================================
    mode        ``threshold_mode="rel"``              ``threshold_mode="abs"``
    ==========  ===================================  ===================================
    ``"min"``   :math:`m < \text{best}\,(1 - \tau)`   :math:`m < \text{best} - \tau`
    ``"max"``   :math:`m > \text{best}\,(1 + \tau)`   :math:`m > \text{best} + \tau`
    ==========  ===================================  ===================================

    After more than ``patience`` steps without improvement, each group's rate becomes
    :math:`\max(\eta \cdot \text{factor}, \eta_{\min})` (``min_lr``: one value, or one per group),
    the counter restarts, and the next ``cooldown`` steps are not counted. A reduction smaller
    than ``eps`` is skipped. This is PyTorch's ``ReduceLROnPlateau`` — same signature, same
    attributes, so state dicts load either way.
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr=0.0,
        eps: float = 1e-8,
    ):
        # The parent's __init__ is not called: the whole logic is here.
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.mode = check_choice(mode, "mode", ("min", "max"))
        self.threshold_mode = check_choice(threshold_mode, "threshold_mode", ("rel", "abs"))
        self.factor = check_probability(factor, "factor", allow_one=False)
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"patience must be an int >= 0, got {patience!r}")
        if isinstance(cooldown, bool) or not isinstance(cooldown, int) or cooldown < 0:
            raise ValueError(f"cooldown must be an int >= 0, got {cooldown!r}")
        self.patience, self.cooldown = patience, cooldown
        self.threshold = check_nonnegative(threshold, "threshold")
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"min_lr must have one value per parameter group ({len(optimizer.param_groups)}), got {len(min_lr)}"
                )
            self.default_min_lr = None
            self.min_lrs = [check_nonnegative(m, "min_lr") for m in min_lr]
        else:
            self.default_min_lr = check_nonnegative(min_lr, "min_lr")
            self.min_lrs = [self.default_min_lr] * len(optimizer.param_groups)
        self.eps = check_nonnegative(eps, "eps")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [g["lr"] for g in optimizer.param_groups]

    def _improves(self, value: float) -> bool:
        sign = 1 if self.mode == "max" else -1
        if self.threshold_mode == "rel":
            return sign * value > sign * self.best * (1 + sign * self.threshold)
        return sign * value > sign * self.best + self.threshold

    def step(self, metrics, epoch=None) -> None:  # noqa: D102 - documented on the class
        if epoch is not None:
            raise NotImplementedError("epoch: ReduceOnPlateau counts its own steps (torch deprecated step(epoch))")
        value = check_number(float(metrics), "metrics")
        self.last_epoch += 1
        if self._improves(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            if len(self.min_lrs) != len(self.optimizer.param_groups):
                if self.default_min_lr is None:
                    raise RuntimeError("the optimizer has a different number of parameter groups than min_lr")
                self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:  # changes smaller than eps are skipped
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]


# --------------------------------------------------------------------------- helpers
def lr_curve(
    make_scheduler: Callable[[torch.optim.Optimizer], object],
    steps: int,
    lr: float = 1.0,
    metrics: Sequence[float] | None = None,
) -> list[float]:
    """The learning rate at steps ``0 .. steps-1`` of ``make_scheduler(optimizer)`` on a dummy optimizer
    whose initial rate is ``lr``; ``metrics`` (one per step) feed a :class:`ReduceOnPlateau`."""
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
