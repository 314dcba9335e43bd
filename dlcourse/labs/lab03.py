"""The visible checks of Lab 03 (normalization), one function per part."""

from __future__ import annotations

__all__ = ["LAB", "PARTS", "part_a", "part_b", "part_c", "part_d", "part_e", "progress"]

import torch

from dlcourse import grading as _grading
from dlcourse import normalization as reference

from . import Part, lab_progress

LAB = "Lab 03"

#: The mini-batch and the affine parameters of parts B and C.
_X = [[1.0, 200.0, -3.0], [2.0, 220.0, -1.0], [4.0, 180.0, -2.0], [5.0, 240.0, -2.0]]
_GAMMA, _BETA = [1.0, 2.0, 0.5], [0.0, 1.0, -1.0]


def part_a(fit_standardizer, standardize) -> None:
    """Part A: the standardizer's statistics and transform against :class:`dlcourse.normalization.Standardizer`.

    Parameters
    ----------
    fit_standardizer, standardize : callable
        The student's ``fit_standardizer(X)`` and ``standardize(X, mean, std)``.
    """
    X_train = torch.tensor([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [2.0, 50.0, 5.0], [6.0, 20.0, 5.0]])
    X_new = torch.tensor([[0.0, 0.0, 5.0], [4.0, 40.0, 7.0]])
    fitted = reference.Standardizer().fit(X_train)
    with _grading.Checker("part A") as check:
        mean, std = fit_standardizer(X_train)
        check.close(mean, fitted.mean.reshape(-1), "mean")
        check.close(std, fitted.std.reshape(-1), "std (population, 1 for the constant column)")
        check.close(standardize(X_new, mean, std), fitted.transform(X_new), "standardize(X_new, mean, std)")


def _reference_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    rm, rv = running_mean.clone(), running_var.clone()
    y = reference.batch_norm(x, rm, rv, gamma, beta, training=True, momentum=momentum, eps=eps)
    return y.detach(), rm, rv


def part_b(batch_norm_train) -> None:
    """Part B: training-mode batch norm and its running statistics, with momentum 0.1 and 0.5.

    Parameters
    ----------
    batch_norm_train : callable
        The student's ``batch_norm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5)``.
    """
    x = torch.tensor(_X)
    gamma, beta = torch.tensor(_GAMMA), torch.tensor(_BETA)
    with _grading.Checker("part B") as check:
        for case in [
            (x, gamma, beta, torch.zeros(3), torch.ones(3)),
            (x, gamma, beta, torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.0, 3.0, 4.0]), 0.5),
        ]:
            y, rm, rv = batch_norm_train(*case)
            ry, rrm, rrv = _reference_train(*case)
            momentum = case[5] if len(case) > 5 else 0.1
            check.close(y, ry, f"output y (momentum={momentum})")
            check.close(rm, rrm, f"new running mean (momentum={momentum})")
            check.close(rv, rrv, f"new running variance, unbiased (momentum={momentum})")


def _reference_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return reference.batch_norm(x, running_mean, running_var, gamma, beta, training=False, eps=eps)


def part_c(batch_norm_eval) -> None:
    """Part C: evaluation-mode batch norm, also on a batch of one example.

    Parameters
    ----------
    batch_norm_eval : callable
        The student's ``batch_norm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5)``.
    """
    x = torch.tensor(_X)
    gamma, beta = torch.tensor(_GAMMA), torch.tensor(_BETA)
    with _grading.Checker("part C") as check:
        check.function(
            batch_norm_eval,
            _reference_eval,
            [
                (x, gamma, beta, torch.tensor([3.0, 210.0, -2.0]), torch.tensor([3.0, 600.0, 0.5])),
                (x[:1], gamma, beta, torch.zeros(3), torch.ones(3)),
            ],
            name="batch_norm_eval",
        )


def _reference_layer_norm(x, gamma, beta, eps=1e-5):
    return reference.layer_norm(x, (x.shape[-1],), gamma, beta, eps)


def part_d(layer_norm) -> None:
    """Part D: layer norm of a small batch, with unit and with other affine parameters.

    Parameters
    ----------
    layer_norm : callable
        The student's ``layer_norm(x, gamma, beta, eps=1e-5)``.
    """
    h = torch.tensor([[1.0, 2.0, 3.0, 6.0], [0.5, -0.5, 2.0, 0.0], [10.0, 20.0, 30.0, 40.0]])
    with _grading.Checker("part D") as check:
        check.function(
            layer_norm,
            _reference_layer_norm,
            [(h, torch.ones(4), torch.zeros(4)), (h, torch.tensor([1.0, 2.0, 0.5, 1.0]), torch.full((4,), 0.3))],
            name="layer_norm",
        )


def _reference_backward(dy, x, gamma, eps=1e-5):
    """dx, dgamma, dbeta of training-mode batch norm, by autograd through the course's forward pass."""
    x, gamma, beta = (t.detach().clone().requires_grad_(True) for t in (x, gamma, torch.zeros_like(gamma)))
    y = reference.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
    return torch.autograd.grad(y, (x, gamma, beta), dy)


def part_e(batch_norm_backward) -> None:
    """Part E: batch norm's backward pass against autograd, including the paths through the batch statistics.

    Parameters
    ----------
    batch_norm_backward : callable
        The student's ``batch_norm_backward(dy, x, gamma, eps=1e-5)``, returning ``(dx, dgamma, dbeta)``.
    """
    x = torch.tensor(_X, dtype=torch.float64)
    gamma = torch.tensor(_GAMMA, dtype=torch.float64)
    dy = torch.tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [0.0, -1.0, 1.0], [-2.0, 0.5, 0.5]], dtype=torch.float64)
    with _grading.Checker("part E") as check:
        dx, dgamma, dbeta = batch_norm_backward(dy, x, gamma)
        rdx, rdgamma, rdbeta = _reference_backward(dy, x, gamma)
        check.close(dbeta, rdbeta, "dbeta against autograd")
        check.close(dgamma, rdgamma, "dgamma against autograd")
        check.close(dx, rdx, "dx against autograd (through the batch mean and variance too)")
        same = torch.ones(4, 3, dtype=torch.float64)  # the same upstream gradient for every example
        check.close(
            batch_norm_backward(same, x, gamma)[0],
            torch.zeros(4, 3, dtype=torch.float64),
            "dx is 0 when dy is the same for every example (the batch mean absorbs a shift)",
            atol=1e-10,
        )


#: The parts with a visible check, in order (part F is a written answer).
PARTS = (
    Part("A", "a standardizer", part_a, ("fit_standardizer", "standardize")),
    Part("B", "batch norm in training mode", part_b, ("batch_norm_train",)),
    Part("C", "batch norm in evaluation mode", part_c, ("batch_norm_eval",)),
    Part("D", "layer norm", part_d, ("layer_norm",)),
    Part("E", "batch norm's backward pass", part_e, ("batch_norm_backward",)),
)


progress = lab_progress(__name__)
