"""The visible checks of Lab 01 (activation functions), one function per part."""

from __future__ import annotations

__all__ = [
    "CHOICES",
    "LAB",
    "PARTS",
    "part_a",
    "part_b",
    "part_c",
    "part_d",
    "part_e",
    "part_f",
    "measured_range",
    "progress",
]


import math

import torch

from dlcourse import activations as reference
from dlcourse import diagnostics
from dlcourse import grading as _grading

from . import Part, lab_progress

LAB = "Lab 01"

#: The output activations part F accepts as answers.
CHOICES = {"identity", "sigmoid", "softmax", "relu", "tanh"}


def part_a(relu, relu_grad, leaky_relu) -> None:
    """Part A: ReLU, its derivative and leaky ReLU against the course's reference on [-3, 3].

    Parameters
    ----------
    relu, relu_grad, leaky_relu : callable
        The student's functions.
    """
    x = torch.linspace(-3, 3, 13)
    with _grading.Checker("part A") as check:
        check.function(relu, reference.relu, [x], name="relu")
        check.function(relu_grad, reference.relu_grad, [x], name="relu_grad")
        check.function(leaky_relu, reference.leaky_relu, [(x, 0.1)], name="leaky_relu")


def part_b(sigmoid, sigmoid_grad) -> None:
    """Part B: the sigmoid and its derivative against the reference on [-8, 8].

    Parameters
    ----------
    sigmoid, sigmoid_grad : callable
        The student's functions.
    """
    x = torch.linspace(-8, 8, 17)
    with _grading.Checker("part B") as check:
        check.function(sigmoid, reference.sigmoid, [x], name="sigmoid")
        check.function(sigmoid_grad, reference.sigmoid_grad, [x], name="sigmoid_grad")


def part_c(elu, elu_grad) -> None:
    """Part C: ELU and its derivative against the reference, with the default alpha and alpha 0.5.

    Parameters
    ----------
    elu, elu_grad : callable
        The student's functions.
    """
    x = torch.linspace(-4, 4, 17)
    with _grading.Checker("part C") as check:
        check.function(elu, reference.elu, [x, (x, 0.5)], name="elu")
        check.function(elu_grad, reference.elu_grad, [x, (x, 0.5)], name="elu_grad")


def part_d(softmax) -> None:
    """Part D: softmax along both dimensions of a small matrix; each row sums to 1.

    Parameters
    ----------
    softmax : callable
        The student's ``softmax(x, dim=-1)``.
    """
    scores = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    with _grading.Checker("part D") as check:
        check.function(softmax, reference.softmax, [(scores, -1), (scores, 0)], name="softmax")
        check.true(bool(torch.allclose(softmax(scores, 1).sum(1), torch.ones(2))), "each row sums to 1")


def part_e(count_dead_units, damaged, digits) -> None:
    """Part E: the dead units of the lab's damaged network, against :func:`dlcourse.diagnostics.dead_units`.

    Parameters
    ----------
    count_dead_units : callable
        The student's ``count_dead_units(model, X)``.
    damaged : torch.nn.Sequential
        The network the lab's given cell trained.
    digits : dlcourse.data.Dataset
        The digits the lab loaded (its training inputs are used).
    """
    with _grading.Checker("part E") as check:
        counts = count_dead_units(damaged, digits.X_train)
        check.true(
            isinstance(counts, list) and all(type(c) is int for c in counts),
            "count_dead_units returns a list of ints",
            hint=f"got {counts!r}",
        )
        check.close(counts, diagnostics.dead_units(damaged, digits.X_train), "dead units per ReLU layer")
    print("dead units per layer:", counts)


_SWEEP = torch.linspace(-1000.0, 1000.0, 20001, dtype=torch.float64)


def measured_range(name: str) -> tuple[float, float]:
    """The smallest and largest output of the activation ``name`` (one of :data:`CHOICES`) over inputs from
    -1000 to 1000, computed with torch's own functions; softmax on two-class logits ``(x, -x)``.

    Parameters
    ----------
    name : str
        The activation, one of :data:`CHOICES` (another name raises ``KeyError``).

    Returns
    -------
    tuple of (float, float)
        ``(smallest, largest)`` output over the 20001 evenly spaced inputs from -1000 to 1000 (float64).
    """
    outputs = {
        "identity": lambda x: x,
        "relu": torch.relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softmax": lambda x: torch.softmax(torch.stack([x, -x], dim=1), dim=1)[:, 0],
    }[name](_SWEEP)
    return float(outputs.min()), float(outputs.max())


def _covers(bound: float, extreme: float) -> bool:
    """Whether a measured extreme reaches a stated bound: within 1e-6 of a finite one, past ±100 for ±inf."""
    if math.isinf(bound):
        return extreme * math.copysign(1.0, bound) >= 100.0
    return abs(extreme - bound) <= 1e-6


def part_f(OUTPUT_ACTIVATION, OUTPUT_RANGE) -> None:
    """Part F: every task has an activation, one of :data:`CHOICES`, and a justification: the range of values
    the prediction must take, which the chosen activation's measured range must match (whether both are
    right for the task is for the hidden check).

    Parameters
    ----------
    OUTPUT_ACTIVATION : dict
        The student's answers: task -> activation name.
    OUTPUT_RANGE : dict
        The student's justifications: task -> ``(low, high)``, the range of the prediction.
    """
    with _grading.Checker("part F") as check:
        check.true(len(OUTPUT_ACTIVATION) == 6, "six tasks are answered", hint="do not remove or rename tasks")
        check.true(set(OUTPUT_RANGE) == set(OUTPUT_ACTIVATION), "every task has a range", hint="the same six tasks")
        for task, choice in OUTPUT_ACTIVATION.items():
            check.true(choice in CHOICES, f"answer for {task!r} is one of {sorted(CHOICES)}", hint=f"got {choice!r}")
            stated = OUTPUT_RANGE.get(task)
            ok = (
                isinstance(stated, tuple)
                and len(stated) == 2
                and all(isinstance(b, (int, float)) for b in stated)
                and stated[0] < stated[1]
            )
            check.true(ok, f"the range for {task!r} is a pair (low, high) with low < high", hint=f"got {stated!r}")
            if ok and choice in CHOICES:
                low, high = measured_range(choice)
                check.true(
                    _covers(float(stated[0]), low) and _covers(float(stated[1]), high),
                    f"{choice} produces the range you state for {task!r}",
                    hint=f"you state {stated}; {choice} measured on inputs in [-1000, 1000]: [{low:.4g}, {high:.4g}]",
                )


#: The parts with a visible check, in order (part G is a written answer).
PARTS = (
    Part("A", "ReLU and leaky ReLU", part_a, ("relu", "relu_grad", "leaky_relu")),
    Part("B", "a numerically stable sigmoid", part_b, ("sigmoid", "sigmoid_grad")),
    Part("C", "ELU", part_c, ("elu", "elu_grad")),
    Part("D", "a numerically stable softmax", part_d, ("softmax",)),
    Part("E", "dead units in a trained network", part_e, ("count_dead_units",), given=("damaged", "digits")),
    Part("F", "output activations", part_f, ("OUTPUT_ACTIVATION", "OUTPUT_RANGE")),
)


progress = lab_progress(__name__)
