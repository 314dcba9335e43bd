"""The visible checks of Lab 02 (initialization and unstable gradients), one function per part."""

from __future__ import annotations

__all__ = ["LAB", "PARTS", "SCHEMES", "part_a", "part_b", "part_c", "part_d", "part_e", "part_f", "part_g", "progress"]


import torch
from torch import nn

import dlcourse
from dlcourse import grading as _grading
from dlcourse import init as reference

from . import Part, lab_progress

LAB = "Lab 02"

#: The initialization schemes part G's table compares, per activation (the keys of the lab's ``schemes``).
SCHEMES = {"tanh": ("small_normal", "large_normal", "xavier"), "relu": ("small_normal", "xavier", "he")}


def part_a(compute_fans) -> None:
    """Part A: the fans of a linear and a convolution weight.

    Parameters
    ----------
    compute_fans : callable
        The student's ``compute_fans(weight)``.
    """
    with _grading.Checker("part A") as check:
        for layer in (nn.Linear(100, 300), nn.Conv2d(16, 32, 3)):
            check.close(tuple(compute_fans(layer.weight)), reference.compute_fans(layer.weight), f"fans of {layer}")


def part_b(xavier_uniform_) -> None:
    """Part B: Xavier uniform draws the same weights as the reference from the same seed.

    Parameters
    ----------
    xavier_uniform_ : callable
        The student's ``xavier_uniform_(tensor, gain=1.0, generator=None)``.
    """
    with _grading.Checker("part B") as check:
        for shape, gain in [((300, 100), 1.0), ((32, 16, 3, 3), 5 / 3)]:
            mine = xavier_uniform_(torch.empty(shape), gain, generator=torch.Generator().manual_seed(1))
            expected = reference.xavier_uniform_(torch.empty(shape), gain, generator=torch.Generator().manual_seed(1))
            check.close(mine, expected, f"xavier_uniform_ of a {shape} weight with gain {gain:.3g} and seed 1")


def part_c(he_normal_) -> None:
    """Part C: He normal draws the same weights as the reference from the same seed, in both modes.

    Parameters
    ----------
    he_normal_ : callable
        The student's ``he_normal_(tensor, mode="fan_in", generator=None)``.
    """
    with _grading.Checker("part C") as check:
        for shape, mode in [((300, 100), "fan_in"), ((32, 16, 3, 3), "fan_out")]:
            mine = he_normal_(torch.empty(shape), mode, generator=torch.Generator().manual_seed(2))
            expected = reference.he_normal_(torch.empty(shape), mode=mode, generator=torch.Generator().manual_seed(2))
            check.close(mine, expected, f"he_normal_ of a {shape} weight, {mode}, seed 2")


def _make_net() -> nn.Module:
    dlcourse.seed_everything(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))


def part_d(init_model) -> None:
    """Part D: initialising a small CNN gives the reference's parameters.

    Parameters
    ----------
    init_model : callable
        The student's ``init_model(model, init_fn)``.
    """
    gen = torch.Generator().manual_seed(3)
    expected = reference.init_model(_make_net(), "he_normal", generator=torch.Generator().manual_seed(3))
    with _grading.Checker("part D") as check:
        mine = init_model(_make_net(), lambda w: reference.he_normal_(w, generator=gen))
        check.true(isinstance(mine, nn.Module), "init_model returns the model")
        for (name, p), q in zip(mine.named_parameters(), expected.parameters()):
            check.close(p.detach(), q.detach(), f"parameter {name}")


def _with_grad(values: list[float]) -> torch.Tensor:
    p = torch.zeros(len(values), requires_grad=True)
    p.grad = torch.tensor(values)
    return p


def part_e(clip_grad_norm_) -> None:
    """Part E: clipping the chapter's worked gradient to norm 1; prints the clipped gradient.

    Parameters
    ----------
    clip_grad_norm_ : callable
        The student's ``clip_grad_norm_(parameters, max_norm)``.
    """
    worked = [0.9, 3.2, 150.0, -2.1, 0.3]
    mine, expected = _with_grad(worked), _with_grad(worked)
    with _grading.Checker("part E") as check:
        norm = clip_grad_norm_([mine], 1.0)
        check.close(
            float(norm), float(reference.clip_grad_norm_([expected], 1.0)), "norm of the worked gradient", rtol=1e-5
        )
        check.close(mine.grad, expected.grad, "the worked gradient clipped to norm 1")
    print("clipped:", [round(v, 3) for v in mine.grad.tolist()])


def _deep_net(activation, depth: int = 10, width: int = 128) -> nn.Sequential:
    """``depth`` blocks of ``Linear(width, width)`` and ``activation()``, then ``Linear(width, 10)`` (the lab's ``deep_net``)."""
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), activation()]
    return nn.Sequential(*layers, nn.Linear(width, 10))


def part_f(layer_output_stds) -> None:
    """Part F: the per-layer standard deviations of a 4-layer tanh network, against the reference.

    Parameters
    ----------
    layer_output_stds : callable
        The student's ``layer_output_stds(model, X)``.
    """
    dlcourse.seed_everything(0)
    net = _deep_net(nn.Tanh, depth=4)
    X = dlcourse.randn(256, 128, seed=1)
    with _grading.Checker("part F") as check:
        stds = layer_output_stds(net, X)
        check.true(
            isinstance(stds, list) and all(type(s) is float for s in stds),
            "returns a list of floats",
            hint=f"got {stds!r}",
        )
        check.close(stds, reference.layer_stds(net, X), "per-layer stds of a 4-layer tanh network")


def part_g(STABLE_SCHEME, WHY_STABLE, table) -> None:
    """Part G: one scheme of :data:`SCHEMES` is named for each activation, and justified by its row of the
    table: the first- and last-layer standard deviations, which must be that row's and must meet the stated
    criterion (within a factor of 10, and for tanh not saturated: a first-layer std below 0.9).

    Parameters
    ----------
    STABLE_SCHEME : dict
        The student's answer: activation -> scheme name.
    WHY_STABLE : dict
        The student's justification: activation -> ``(first_layer_std, last_layer_std)`` read from the table.
    table : dict
        The given cell's table: ``(activation, scheme) -> (first_layer_std, last_layer_std)``.
    """
    with _grading.Checker("part G") as check:
        check.true(
            set(STABLE_SCHEME) == {"tanh", "relu"},
            "STABLE_SCHEME answers for 'tanh' and 'relu'",
            hint=f"got {STABLE_SCHEME!r}",
        )
        for name in ("tanh", "relu"):
            scheme = STABLE_SCHEME.get(name)
            check.true(
                scheme in SCHEMES[name], f"the {name} answer is one of {sorted(SCHEMES[name])}", hint=f"got {scheme!r}"
            )
            pair = WHY_STABLE.get(name) if isinstance(WHY_STABLE, dict) else None
            ok = isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(v, (int, float)) and v > 0 for v in pair)
            check.true(ok, f"WHY_STABLE[{name!r}] is a pair of positive numbers (first, last)", hint=f"got {pair!r}")
            if not ok or scheme not in SCHEMES[name]:
                continue
            row = table.get((name, scheme))
            check.close(list(pair), list(row), f"WHY_STABLE[{name!r}] is the table's row for {scheme}", rtol=1e-3)
            first, last = pair
            check.true(
                0.1 <= last / first <= 10,
                f"{name} with {scheme}: the last layer's std is within a factor of 10 of the first's",
                hint=f"ratio {last / first:.3g}",
            )
            if name == "tanh":
                check.true(
                    first < 0.9,
                    f"tanh with {scheme}: not saturated (first-layer std below 0.9)",
                    hint=f"first-layer std {first:.3f}: almost every unit is stuck at ±1",
                )


#: The parts with a visible check, in order (part H is a written answer).
PARTS = (
    Part("A", "fans", part_a, ("compute_fans",)),
    Part("B", "Xavier uniform", part_b, ("xavier_uniform_",)),
    Part("C", "He normal", part_c, ("he_normal_",)),
    Part("D", "initialising a whole model", part_d, ("init_model",)),
    Part("E", "gradient clipping by global norm", part_e, ("clip_grad_norm_",)),
    Part("F", "per-layer activation statistics", part_f, ("layer_output_stds",)),
    Part("G", "which scheme keeps the statistics stable?", part_g, ("STABLE_SCHEME", "WHY_STABLE"), given=("table",)),
)


progress = lab_progress(__name__)
