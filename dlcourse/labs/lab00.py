"""The visible checks of Lab 00 (foundations: a neuron, backpropagation, gradient descent), one function per part."""

from __future__ import annotations

__all__ = ["LAB", "PARTS", "part_a", "part_b", "part_c", "part_d", "progress"]

import time

import torch

from dlcourse import autodiff, data, gradcheck
from dlcourse import grading as _grading

from . import Part, lab_progress

LAB = "Lab 00"


def part_a(neuron_forward) -> None:
    """Part A: one sigmoid neuron on a batch, compared with ``nn.Linear``.

    Parameters
    ----------
    neuron_forward : callable
        The student's ``neuron_forward(X, w, b, activation=torch.sigmoid)``.
    """
    g = torch.Generator().manual_seed(0)
    X, w = torch.randn(5, 3, generator=g), torch.randn(3, generator=g)
    linear = torch.nn.Linear(3, 1)
    with torch.no_grad():
        linear.weight.copy_(w[None, :])
        linear.bias.fill_(0.5)
        expected = torch.sigmoid(linear(X))[:, 0]
    with _grading.Checker("part A") as check:
        check.close(neuron_forward(X, w, 0.5), expected, "one sigmoid neuron on a batch of 5 (compared with nn.Linear)")


def part_b(logistic_regression_grad) -> None:
    """Part B: the hand-derived gradient of logistic regression on 8 examples.

    Parameters
    ----------
    logistic_regression_grad : callable
        The student's ``logistic_regression_grad(w, b, X, y)``, returning ``(grad_w, grad_b)``.
    """
    g = torch.Generator().manual_seed(1)
    X, w = torch.randn(8, 3, generator=g), torch.randn(3, generator=g)
    y = torch.tensor([0, 1, 1, 0, 1, 0, 0, 1])
    with _grading.Checker("part B") as check:
        grad_w, grad_b = logistic_regression_grad(w, 0.2, X, y)
        expected_w, expected_b = autodiff.logistic_grad(w, 0.2, X, y)
        check.close(grad_w, expected_w, "dL/dw on 8 examples")
        check.close(grad_b, expected_b, "dL/db on 8 examples")


def part_c(numerical_grad, gradient_is_correct) -> None:
    """Part C: the central-difference gradient and the gradient check on ``sum(x^3)``.

    Parameters
    ----------
    numerical_grad : callable
        The student's ``numerical_grad(f, x, h=1e-6)``.
    gradient_is_correct : callable
        The student's ``gradient_is_correct(f, grad, x, threshold=1e-5)``.
    """
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    cube = lambda t: (t**3).sum()  # noqa: E731
    with _grading.Checker("part C") as check:
        check.close(numerical_grad(cube, x), gradcheck.numerical_gradient(cube, [x])[0], "numerical_grad of sum(x^3)")
        check.true(gradient_is_correct(cube, lambda t: 3 * t**2, x) is True, "the right gradient 3x^2 is accepted")
        check.true(gradient_is_correct(cube, lambda t: 2 * t**2, x) is False, "a wrong gradient 2x^2 is rejected")


def part_d(train_logistic_regression) -> None:
    """Part D: mini-batch SGD reaches 95 % test accuracy on the breast-cancer data in under 10 s.

    Parameters
    ----------
    train_logistic_regression : callable
        The student's ``train_logistic_regression(X, y, ...)``, returning ``(w, b)``.
    """
    cancer = data.load_breast_cancer(seed=0)
    with _grading.Checker("part D") as check:
        start = time.perf_counter()
        w, b = train_logistic_regression(*cancer.train)
        seconds = time.perf_counter() - start
        test_accuracy = ((cancer.X_test @ w + b > 0).long() == cancer.y_test).float().mean().item()
        check.true(w.shape == (cancer.n_features,), "w has one weight per feature", hint=f"got shape {tuple(w.shape)}")
        check.true(test_accuracy >= 0.95, "test accuracy is at least 95 %", hint=f"got {test_accuracy:.1%}")
        check.true(seconds < 10, "training takes less than 10 s", hint=f"took {seconds:.1f} s")


#: The parts with a visible check, in order.
PARTS = (
    Part("A", "a neuron, vectorised", part_a, ("neuron_forward",)),
    Part("B", "the gradient of logistic regression", part_b, ("logistic_regression_grad",)),
    Part("C", "a gradient check", part_c, ("numerical_grad", "gradient_is_correct")),
    Part("D", "mini-batch SGD to 95 %", part_d, ("train_logistic_regression",)),
)


progress = lab_progress(__name__)
