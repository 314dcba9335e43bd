"""The visible checks of Lab 05 (regularization), one function per part."""

from __future__ import annotations

__all__ = ["LAB", "PARTS", "part_a", "part_b", "part_c", "part_d", "part_e", "progress"]

from types import SimpleNamespace

import torch
from torch import nn

import dlcourse
from dlcourse import grading as _grading
from dlcourse import regularization as reference

from . import Part, lab_progress

LAB = "Lab 05"


def part_a(l2_penalty) -> None:
    """Part A: the L2 penalty of a small network for three strengths, against the reference.

    Parameters
    ----------
    l2_penalty : callable
        The student's ``l2_penalty(model, alpha)``.
    """
    dlcourse.seed_everything(0)
    net = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))
    with _grading.Checker("part A") as check:
        for alpha in (0.0, 0.1, 2.0):
            check.close(
                l2_penalty(net, alpha), reference.l2_penalty(net, alpha), f"l2_penalty(net, {alpha})", rtol=1e-5
            )


def part_b(InvertedDropout) -> None:
    """Part B: inverted dropout with p = 0.25 on 100,000 units, in training and in evaluation mode.

    Parameters
    ----------
    InvertedDropout : type
        The student's ``nn.Module`` class ``InvertedDropout(p=0.5)``.
    """
    x = torch.full((100_000,), 3.0)
    with _grading.Checker("part B") as check:
        layer = InvertedDropout(0.25)
        torch.manual_seed(0)
        y = layer(x)
        check.close((y == 0).float().mean().item(), 0.25, "share of dropped units (p = 0.25)", atol=0.01)
        check.close(y.mean().item(), 3.0, "mean preserved in training mode", atol=0.05)
        check.close(y[y != 0], torch.full_like(y[y != 0], 4.0), "kept units are scaled by 1 / (1 - p)")
        check.close(layer.eval()(x), x, "evaluation mode returns x unchanged")


def part_c(EarlyStopping) -> None:
    """Part C: early stopping on a fixed validation curve, epoch by epoch, against the reference.

    Parameters
    ----------
    EarlyStopping : type
        The student's callback class ``EarlyStopping(patience=5, min_delta=0.0)``.
    """
    losses = [1.0, 0.7, 0.72, 0.69, 0.71, 0.75, 0.8]
    history, model = SimpleNamespace(val_loss=[]), nn.Linear(2, 1)
    with _grading.Checker("part C") as check:
        ours, ref = EarlyStopping(patience=3, min_delta=0.0), reference.EarlyStopping(patience=3, min_delta=0.0)
        for epoch, loss in enumerate(losses, start=1):
            history.val_loss.append(loss)
            stop, ref_stop = ours(epoch, history, model), ref(epoch, history, model)
            check.close(
                (stop, ours.best_epoch, ours.wait),
                (ref_stop, ref.best_epoch, ref.wait),
                f"epoch {epoch}, val_loss {loss}: (stop, best_epoch, wait)",
            )
            if ref_stop:
                break


def part_d(label_smoothing_cross_entropy) -> None:
    """Part D: label-smoothing cross-entropy for three smoothings, against the reference.

    Parameters
    ----------
    label_smoothing_cross_entropy : callable
        The student's ``label_smoothing_cross_entropy(logits, target, smoothing=0.1)``.
    """
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    target = torch.tensor([0, 2])
    with _grading.Checker("part D") as check:
        for eps in (0.0, 0.1, 0.5):
            check.close(
                label_smoothing_cross_entropy(logits, target, eps),
                reference.label_smoothing_cross_entropy(logits, target, eps),
                f"smoothing={eps}",
            )


def part_e(CONFIG, l2_penalty, InvertedDropout, EarlyStopping, label_smoothing_cross_entropy) -> None:
    """Part E: :func:`dlcourse.regularization.moons_experiment` with ``CONFIG`` and the student's components
    closes the gap below 0.08 and keeps the validation accuracy at 0.78 or above (seed 0).

    Parameters
    ----------
    CONFIG : dict
        The student's configuration (``l2``, ``dropout``, ``smoothing``, ``patience``, ``epochs``).
    l2_penalty, InvertedDropout, EarlyStopping, label_smoothing_cross_entropy
        The student's answers to parts A–D, which the experiment uses.
    """
    components = {
        "l2_penalty": l2_penalty,
        "Dropout": InvertedDropout,
        "EarlyStopping": EarlyStopping,
        "label_smoothing_cross_entropy": label_smoothing_cross_entropy,
    }
    with _grading.Checker("part E") as check:
        run = reference.moons_experiment(**CONFIG, seed=0, components=components)
        print(f"your configuration: train {run['train_acc']:.3f}, val {run['val_acc']:.3f}, gap {run['gap']:.3f}")
        check.true(
            set(CONFIG) <= {"l2", "dropout", "smoothing", "patience", "epochs"}, "CONFIG uses only the allowed keys"
        )
        check.true(run["gap"] < 0.08, "gap below 0.08", hint=f"got {run['gap']:.3f}")
        check.true(run["val_acc"] >= 0.78, "validation accuracy at least 0.78", hint=f"got {run['val_acc']:.3f}")


#: The parts with a visible check, in order (part F is a written answer).
PARTS = (
    Part("A", "the L2 penalty", part_a, ("l2_penalty",)),
    Part("B", "inverted dropout", part_b, ("InvertedDropout",)),
    Part("C", "early stopping", part_c, ("EarlyStopping",)),
    Part("D", "label-smoothing cross-entropy", part_d, ("label_smoothing_cross_entropy",)),
    Part(
        "E",
        "close the gap",
        part_e,
        ("CONFIG", "l2_penalty", "InvertedDropout", "EarlyStopping", "label_smoothing_cross_entropy"),
    ),
)


progress = lab_progress(__name__)
