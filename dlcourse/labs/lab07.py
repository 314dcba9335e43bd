"""The visible checks of Lab 07 (methodology: metrics, splits and sanity checks), one function per part."""

from __future__ import annotations

__all__ = ["LAB", "PARTS", "part_a", "part_b", "part_c", "part_d", "part_e", "part_f", "progress"]


import numpy as np
import torch
from torch import nn

import dlcourse
from dlcourse import diagnostics, gradcheck, metrics
from dlcourse import grading as _grading

from . import Part, lab_progress

LAB = "Lab 07"


def part_a(f1_score) -> None:
    """Part A: F1 of a small example, a Python float, against the reference.

    Parameters
    ----------
    f1_score : callable
        The student's ``f1_score(y_true, y_pred)``.
    """
    y_true = torch.tensor([0, 1, 1, 0, 1, 1, 0, 0])
    y_pred = torch.tensor([0, 1, 0, 0, 1, 1, 1, 0])
    with _grading.Checker("part A") as check:
        check.true(type(f1_score(y_true, y_pred)) is float, "f1_score returns a float")
        check.close(f1_score(y_true, y_pred), metrics.f1_score(y_true, y_pred), "f1_score on a small example")


def part_b(roc_auc) -> None:
    """Part B: ROC AUC with one tie and with every score tied.

    Parameters
    ----------
    roc_auc : callable
        The student's ``roc_auc(y_true, scores)``.
    """
    y_true = torch.tensor([0, 0, 1, 1, 0, 1])
    scores = torch.tensor([0.1, 0.4, 0.35, 0.8, 0.5, 0.5])
    with _grading.Checker("part B") as check:
        check.close(roc_auc(y_true, scores), metrics.roc_auc_score(y_true, scores), "roc_auc with one tie")
        check.close(roc_auc(y_true, torch.zeros(6)), 0.5, "roc_auc when every score is tied")


def part_c(group_train_test_split) -> None:
    """Part C: a split of 40 patients with 3 scans each keeps every patient on one side.

    Parameters
    ----------
    group_train_test_split : callable
        The student's ``group_train_test_split(groups, test_size=0.25, seed=0)``.
    """
    groups = np.repeat(np.arange(40), 3)  # 40 patients, 3 scans each
    with _grading.Checker("part C") as check:
        train_idx, test_idx = group_train_test_split(groups, test_size=0.25, seed=0)
        check.true(
            sorted(np.concatenate([train_idx, test_idx]).tolist()) == list(range(120)),
            "every index is in exactly one split",
        )
        check.true(not set(groups[train_idx]) & set(groups[test_idx]), "no patient is in both splits")
        check.close(len(test_idx) / 120, 0.25, "share of examples in the test set", atol=0.05)
        # one patient with 300 scans and 100 with one: a quarter of the *groups* is 25 patients, which puts
        # either 25 or 324 of the 400 scans in the test set; a quarter of the *examples* is 100 single scans
        skewed = np.concatenate([np.zeros(300, dtype=int), np.arange(1, 101)])
        train_idx, test_idx = group_train_test_split(skewed, test_size=0.25, seed=0)
        check.close(
            len(test_idx) / 400,
            0.25,
            "share of examples (not of groups) in the test set, one patient with 300 of 400 scans",
            atol=0.05,
        )


def part_d(expected_initial_loss, initial_loss_ok) -> None:
    """Part D: the expected initial loss for 5 classes, and the check on a freshly initialised network.

    Parameters
    ----------
    expected_initial_loss, initial_loss_ok : callable
        The student's ``expected_initial_loss(n_classes)`` and ``initial_loss_ok(model, X, y, rtol=0.2)``.
    """
    X = torch.randn(64, 20, generator=torch.Generator().manual_seed(0))
    y = torch.randint(0, 5, (64,), generator=torch.Generator().manual_seed(1))
    dlcourse.seed_everything(0)
    fresh = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 5))
    with _grading.Checker("part D") as check:
        check.close(expected_initial_loss(5), diagnostics.expected_initial_loss(5), "expected_initial_loss(5)")
        check.true(
            initial_loss_ok(fresh, X, y) == diagnostics.check_initial_loss(fresh, X, y).passed,
            "initial_loss_ok agrees with dlcourse on a freshly initialised network",
        )


def part_e(numerical_gradient, max_relative_error) -> None:
    """Part E: the central-difference gradient of ``sum(x^3)`` and the largest relative error, against the reference.

    Parameters
    ----------
    numerical_gradient, max_relative_error : callable
        The student's ``numerical_gradient(f, x, h=1e-6)`` and ``max_relative_error(a, b)``.
    """
    x = torch.tensor([[0.5, -1.0], [2.0, 0.1]])
    cube = lambda t: (t**3).sum()  # noqa: E731
    with _grading.Checker("part E") as check:
        check.close(
            numerical_gradient(cube, x),
            gradcheck.numerical_gradient(cube, [x])[0],
            "numerical_gradient of sum(x^3)",
            atol=1e-6,
        )
        a, b = torch.tensor([1.0, 2.0, 0.0]), torch.tensor([1.0, 1.0, 0.0])
        check.close(max_relative_error(a, b), float(gradcheck.relative_error(a, b).max()), "max_relative_error")


def _true_tanh_twin(model: nn.Module) -> nn.Sequential:
    """The same layers (shared parameters), with torch's own tanh in place of the lab's hand-written layer."""
    return nn.Sequential(*[nn.Tanh() if type(m).__name__ == "TanhLayer" else m for m in model])


def part_f(INITIAL_LOSS, GRADIENT_ERROR, fixed_model, make_model, digits, train_and_score) -> None:
    """Part F: the two measurements of the broken setup, and a fixed model that keeps the architecture and
    reaches a validation accuracy of 0.95 (trained by the lab's ``train_and_score``, 5 epochs).

    Parameters
    ----------
    INITIAL_LOSS : float
        The cross-entropy of ``make_model()`` on the first 64 training examples.
    GRADIENT_ERROR : float
        ``max_relative_error`` between the backward pass's and the numerical gradient of the loss with
        respect to the first layer's bias, for ``make_model().double()`` on the first 8 training examples.
    fixed_model : callable
        The student's ``fixed_model(seed=0)``.
    make_model, digits, train_and_score
        The lab's given broken model, data and training function.
    """
    X, y = digits.X_train[:64], digits.y_train[:64]
    with torch.no_grad():
        initial = float(torch.nn.functional.cross_entropy(make_model()(X), y))
    probe = make_model().double()
    Xd, yd = X[:8].double(), y[:8]
    grads = []
    for net in (probe, _true_tanh_twin(probe)):
        probe.zero_grad()
        torch.nn.functional.cross_entropy(net(Xd), yd).backward()
        grads.append(probe[0].bias.grad.clone())
    error = float(gradcheck.relative_error(*grads).max())
    with _grading.Checker("part F") as check:
        check.true(
            isinstance(INITIAL_LOSS, float) and isinstance(GRADIENT_ERROR, float),
            "INITIAL_LOSS and GRADIENT_ERROR are floats",
            hint=f"got {INITIAL_LOSS!r} and {GRADIENT_ERROR!r}",
        )
        check.close(INITIAL_LOSS, initial, "INITIAL_LOSS: the broken model's cross-entropy on 64 examples", rtol=1e-4)
        check.close(GRADIENT_ERROR, error, "GRADIENT_ERROR: your gradient check on the first layer's bias", rtol=1e-5)
        model = fixed_model()
        check.true(
            [type(m).__name__ for m in model][0::2] == ["Linear", "Linear", "Linear"],
            "same architecture: Linear, activation, Linear, activation, Linear",
        )
        accuracy = train_and_score(model)
        check.true(
            accuracy >= 0.95,
            "the fixed model reaches a validation accuracy of at least 0.95",
            hint=f"got {accuracy:.3f}",
        )


#: The parts with a visible check, in order (part G is a written answer).
PARTS = (
    Part("A", "the F1 score", part_a, ("f1_score",)),
    Part("B", "ROC AUC, ties included", part_b, ("roc_auc",)),
    Part("C", "a group-aware split", part_c, ("group_train_test_split",)),
    Part("D", "the initial-loss check", part_d, ("expected_initial_loss", "initial_loss_ok")),
    Part("E", "a finite-difference gradient check", part_e, ("numerical_gradient", "max_relative_error")),
    Part(
        "F",
        "diagnose and fix a broken training setup",
        part_f,
        ("INITIAL_LOSS", "GRADIENT_ERROR", "fixed_model"),
        given=("make_model", "digits", "train_and_score"),
    ),
)


progress = lab_progress(__name__)
