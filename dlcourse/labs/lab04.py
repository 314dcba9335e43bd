"""The visible checks of Lab 04 (optimizers and learning-rate schedules), one function per part."""

from __future__ import annotations

__all__ = ["LAB", "PARTS", "part_a", "part_b", "part_c", "part_d", "part_e", "progress"]


import torch

from dlcourse import grading as _grading
from dlcourse import optim, schedules

from . import Part, lab_progress

LAB = "Lab 04"


def part_a(momentum_step_seed, momentum_step_torch) -> None:
    """Part A: one step of each formulation of momentum against the reference (each returns a pair).

    Parameters
    ----------
    momentum_step_seed, momentum_step_torch : callable
        The student's ``momentum_step_seed(theta, grad, m, lr, beta)`` and
        ``momentum_step_torch(theta, grad, v, lr, beta)``.
    """
    theta, grad, buf = torch.tensor([1.0, -2.0, 0.5]), torch.tensor([0.3, -0.1, 2.0]), torch.tensor([0.2, 0.0, -1.0])
    with _grading.Checker("part A") as check:
        # each function returns a pair; the check compares torch.stack(pair)
        check.function(
            lambda *a: torch.stack(momentum_step_seed(*a)),
            lambda *a: torch.stack(optim.momentum_step_seed(*a[:3], lr=a[3], beta=a[4])),
            [(theta, grad, buf, 0.1, 0.9), (theta, grad, torch.zeros(3), 0.5, 0.0)],
            name="momentum_step_seed",
        )
        check.function(
            lambda *a: torch.stack(momentum_step_torch(*a)),
            lambda *a: torch.stack(optim.momentum_step_torch(*a[:3], lr=a[3], beta=a[4])),
            [(theta, grad, buf, 0.1, 0.9), (theta, grad, torch.zeros(3), 0.5, 0.0)],
            name="momentum_step_torch",
        )


def _reference_rmsprop(theta, grad, s, lr, alpha=0.99, eps=1e-8):
    theta, state = theta.clone(), {"step": 1, "square_avg": s.clone()}
    optim.rmsprop_update(theta, grad, state, lr=lr, alpha=alpha, eps=eps)
    return torch.stack([theta, state["square_avg"]])


def part_b(rmsprop_step) -> None:
    """Part B: one RMSProp step against the reference, with default and other hyperparameters.

    Parameters
    ----------
    rmsprop_step : callable
        The student's ``rmsprop_step(theta, grad, s, lr, alpha=0.99, eps=1e-8)``.
    """
    theta, grad, s = torch.tensor([1.0, -2.0, 0.5]), torch.tensor([0.3, -0.1, 2.0]), torch.tensor([0.1, 0.0, 1.0])
    with _grading.Checker("part B") as check:
        check.function(
            lambda *a: torch.stack(rmsprop_step(*a)),
            _reference_rmsprop,
            [(theta, grad, s, 0.01), (theta, grad, s, 0.1, 0.9, 1e-3)],
            name="rmsprop_step",
        )


def _reference_adam(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    theta, state = theta.clone(), {"step": t - 1, "exp_avg": m.clone(), "exp_avg_sq": v.clone()}
    optim.adam_update(
        theta, grad, state, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay, decoupled_weight_decay=True
    )
    return torch.stack([theta, state["exp_avg"], state["exp_avg_sq"]])


def part_c(adam_step) -> None:
    """Part C: Adam's first step, its fifth step from a given state, and AdamW's decoupled weight decay,
    against the reference.

    Parameters
    ----------
    adam_step : callable
        The student's ``adam_step(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)``.
    """
    theta, grad = torch.tensor([1.0, -2.0, 0.5]), torch.tensor([0.3, -0.1, 2.0])
    m, v = torch.tensor([0.1, 0.0, -0.2]), torch.tensor([0.01, 0.0, 0.5])
    with _grading.Checker("part C") as check:
        check.function(
            lambda *a: torch.stack(adam_step(*a)),
            _reference_adam,
            [(theta, grad, torch.zeros(3), torch.zeros(3), 1, 0.1), (theta, grad, m, v, 5, 0.01, 0.8, 0.99)],
            name="adam_step",
        )
        check.function(
            lambda *a: torch.stack(adam_step(*a)),
            _reference_adam,
            [(theta, grad, m, v, 5, 0.1, 0.9, 0.999, 1e-8, 0.5)],
            name="adam_step",
        )  # weight_decay=0.5: AdamW


def part_d(cosine_warmup_lr) -> None:
    """Part D: the cosine schedule with warm-up at six points, against the reference.

    Parameters
    ----------
    cosine_warmup_lr : callable
        The student's ``cosine_warmup_lr(t, lr0, total_steps, warmup_steps=0, min_lr=0.0, start_factor=0.0)``.
    """
    cases = [
        (0, 1.0, 100, 10),
        (5, 1.0, 100, 10, 0.0, 0.1),
        (10, 0.5, 100, 10),
        (55, 0.5, 100, 10, 0.01),
        (100, 1.0, 100, 10),
        (30, 2.0, 40, 0),
    ]
    with _grading.Checker("part D") as check:
        check.function(cosine_warmup_lr, schedules.cosine_warmup_lr, cases, name="cosine_warmup_lr", atol=1e-9)


def part_e(suggest_lr) -> None:
    """Part E: the suggested learning rate of a small range test, with three smoothings.

    Parameters
    ----------
    suggest_lr : callable
        The student's ``suggest_lr(lrs, losses, smoothing=0.9)``.
    """
    lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
    losses = [2.30, 2.28, 1.90, 0.80, 1.50, 9.0]
    with _grading.Checker("part E") as check:
        check.function(
            suggest_lr,
            schedules.suggest_lr,
            [(lrs, losses), (lrs, losses, 0.0), (lrs, losses, 0.5)],
            name="suggest_lr",
            atol=1e-12,
        )


#: The parts with a visible check, in order (part F is a written answer).
PARTS = (
    Part("A", "momentum, two ways", part_a, ("momentum_step_seed", "momentum_step_torch")),
    Part("B", "RMSProp", part_b, ("rmsprop_step",)),
    Part("C", "Adam and AdamW", part_c, ("adam_step",)),
    Part("D", "cosine schedule with linear warm-up", part_d, ("cosine_warmup_lr",)),
    Part("E", "reading an LR range test", part_e, ("suggest_lr",)),
)


progress = lab_progress(__name__)
