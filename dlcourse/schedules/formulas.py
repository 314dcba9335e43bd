"""The closed-form formulas of the schedules: the learning rate (and 1cycle's momentum) as a plain
function of the step :math:`t`, which the schedulers of :mod:`dlcourse.schedules` evaluate."""

from __future__ import annotations

import math
from typing import Sequence

__all__ = [
    "power_lr",
    "exponential_lr",
    "piecewise_constant_lr",
    "one_cycle_lr",
    "one_cycle_momentum",
    "cosine_warmup_lr",
    "cosine_restarts_lr",
    "step_decay_lr",
]


def power_lr(t: int, lr0: float, s: float, c: float = 1.0) -> float:
    r"""Power scheduling: :math:`\eta_t = \eta_0 / (1 + t/s)^c` — halves-ish quickly, then ever more slowly.

    Parameters
    ----------
    t : int
        Step count, >= 0.
    lr0 : float
        Initial learning rate :math:`\eta_0`.
    s : float
        Step scale, > 0: the rate is :math:`\eta_0 / 2^c` at :math:`t = s`.
    c : float, default 1.0
        Power, >= 0.

    Returns
    -------
    float
        The learning rate :math:`\eta_t`.
    """
    return lr0 / (1.0 + t / s) ** c


def exponential_lr(t: int, lr0: float, s: float) -> float:
    r"""Exponential scheduling: :math:`\eta_t = \eta_0 \cdot 0.1^{t/s}` — divided by 10 every :math:`s` steps.

    It is PyTorch's ``ExponentialLR`` with :math:`\gamma = 0.1^{1/s}`.

    Parameters
    ----------
    t : int
        Step count, >= 0.
    lr0 : float
        Initial learning rate :math:`\eta_0`.
    s : float
        Steps per tenfold decrease, > 0.

    Returns
    -------
    float
        The learning rate :math:`\eta_t`.
    """
    return lr0 * 0.1 ** (t / s)


def piecewise_constant_lr(t: int, lr0: float, milestones: Sequence[int], gamma: float = 0.1) -> float:
    r"""Piecewise constant: :math:`\eta_t = \eta_0\,\gamma^{\#\{m \in \text{milestones} : m \le t\}}`.

    Parameters
    ----------
    t : int
        Step count, >= 0.
    lr0 : float
        Initial learning rate :math:`\eta_0`.
    milestones : sequence of int
        Steps at which the rate is multiplied by ``gamma`` (each milestone counts once reached).
    gamma : float, default 0.1
        Multiplicative factor per milestone passed.

    Returns
    -------
    float
        The learning rate :math:`\eta_t`.
    """
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

    Parameters
    ----------
    t : int
        Step count, in ``[0, total_steps)``.
    max_lr : float
        Peak learning rate :math:`\eta_{\max}`.
    total_steps : int
        Length :math:`T` of the cycle, in steps.
    pct_start : float, default 0.3
        Fraction of the cycle spent warming up.
    div_factor : float, default 25.0
        :math:`d`: the cycle starts at :math:`\eta_{\max}/d`.
    final_div_factor : float, default 1e4
        :math:`f`: the cycle ends at :math:`\eta_{\max}/(d f)`.
    anneal : {"cos", "linear"}, default "cos"
        Interpolation between the phase ends; any value other than ``"cos"`` interpolates linearly.
    three_phase : bool, default False
        Use fast.ai's three-phase variant (see above).

    Returns
    -------
    float
        The learning rate :math:`\eta_t`.
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

    Parameters
    ----------
    t : int
        Step count, >= 0.
    total_steps : int
        Length of the cycle, in steps.
    pct_start : float, default 0.3
        Fraction of the cycle spent warming up the rate (and lowering the momentum).
    base_momentum : float, default 0.85
        Momentum at the rate's peak.
    max_momentum : float, default 0.95
        Momentum at the start and the end of the cycle.
    anneal : {"cos", "linear"}, default "cos"
        Interpolation between the phase ends; any value other than ``"cos"`` interpolates linearly.
    three_phase : bool, default False
        Follow :func:`one_cycle_lr`'s three-phase variant.

    Returns
    -------
    float
        The momentum (or Adam's :math:`\beta_1`) at step ``t``.
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

    Parameters
    ----------
    t : int
        Step count, >= 0.
    lr0 : float
        Initial learning rate :math:`\eta_0`, the rate at each restart.
    T_0 : int
        Length of the first cycle, in steps.
    T_mult : int, default 1
        Factor by which each cycle is longer than the previous one.
    eta_min : float, default 0.0
        Lowest rate :math:`\eta_{\min}`, reached at the end of each cycle.

    Returns
    -------
    float
        The learning rate :math:`\eta_t`.
    """
    if T_mult == 1:
        t_cur, t_i = t % T_0, T_0
    else:
        n = int(math.log(t / T_0 * (T_mult - 1) + 1, T_mult))
        t_cur, t_i = t - T_0 * (T_mult**n - 1) / (T_mult - 1), T_0 * T_mult**n
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2


def step_decay_lr(t: int, lr0: float, step_size: int, gamma: float = 0.1) -> float:
    r"""Step decay: :math:`\eta_t = \eta_0\,\gamma^{\lfloor t / \text{step\_size} \rfloor}` (PyTorch's ``StepLR``).

    Parameters
    ----------
    t : int
        Step count, >= 0.
    lr0 : float
        Initial learning rate :math:`\eta_0`.
    step_size : int
        Steps between two multiplications by ``gamma``.
    gamma : float, default 0.1
        Multiplicative factor.

    Returns
    -------
    float
        The learning rate :math:`\eta_t`.
    """
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

    Parameters
    ----------
    t : int
        Step count, >= 0.
    lr0 : float
        Peak learning rate :math:`\eta_0`, reached at the end of the warm-up.
    total_steps : int
        :math:`T`: the step at which the annealing reaches ``min_lr``; must exceed ``warmup_steps``.
    warmup_steps : int, default 0
        :math:`W`: length of the linear warm-up (0: none).
    min_lr : float, default 0.0
        :math:`\eta_{\min}`, the rate at and after ``total_steps``.
    start_factor : float, default 0.0
        :math:`f`: the warm-up starts at ``start_factor * lr0``.

    Returns
    -------
    float
        The learning rate :math:`\eta_t`.
    """
    if t < warmup_steps:
        return lr0 * (start_factor + (1.0 - start_factor) * t / warmup_steps)
    p = min(t - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (lr0 - min_lr) * (1.0 + math.cos(math.pi * p)) / 2.0
