"""The visible checks of Lab 06 (data augmentation on batches), one function per part."""

from __future__ import annotations

__all__ = ["LAB", "PARTS", "part_a", "part_b", "part_c", "part_d", "part_e", "progress"]

import functools

import torch

import dlcourse
from dlcourse import augment as reference
from dlcourse import grading as _grading

from . import Part, lab_progress

LAB = "Lab 06"


def part_a(hflip) -> None:
    """Part A: flipping the first of two images, against the reference; flipping twice is the identity.

    Parameters
    ----------
    hflip : callable
        The student's ``hflip(x, mask)``.
    """
    x = torch.arange(2 * 1 * 2 * 3, dtype=torch.float32).reshape(2, 1, 2, 3)
    mask = torch.tensor([True, False])
    with _grading.Checker("part A") as check:
        check.function(hflip, lambda x, m: reference.flip(x, m, -1), [(x, mask)], name="hflip")
        check.close(hflip(hflip(x, mask), mask), x, "flipping twice gives the input back")


def part_b(pad_and_crop) -> None:
    """Part B: crops at two offsets with a fill value, against the reference; centred offsets keep the image.

    Parameters
    ----------
    pad_and_crop : callable
        The student's ``pad_and_crop(x, offsets, padding, fill=0.0)``.
    """
    x = torch.arange(2 * 1 * 3 * 3, dtype=torch.float32).reshape(2, 1, 3, 3)
    offsets = torch.tensor([[0, 0], [1, 2]])
    with _grading.Checker("part B") as check:
        check.function(
            pad_and_crop,
            lambda x, o, p, fill: reference.crop(x, o, padding=p, fill=fill),
            [(x, offsets, 1, -1.0)],
            name="pad_and_crop",
        )
        check.close(pad_and_crop(x, torch.tensor([[1, 1], [1, 1]]), 1), x, "offsets (padding, padding) keep the image")


def part_c(cutout) -> None:
    """Part C: Cutout of size 3 at the centre and at a corner, against the reference.

    Parameters
    ----------
    cutout : callable
        The student's ``cutout(x, centres, size, fill=0.0)``.
    """
    x = torch.ones(2, 1, 5, 5)
    centres = torch.tensor([[2, 2], [0, 4]])
    with _grading.Checker("part C") as check:
        check.function(cutout, lambda x, c, s: reference.cutout(x, c, s), [(x, centres, 3)], name="cutout")


def part_d(mixup) -> None:
    """Part D: Mixup of four images with given weights and partners, against the reference.

    Parameters
    ----------
    mixup : callable
        The student's ``mixup(x, y, lam, perm, num_classes)``.
    """
    g = torch.Generator().manual_seed(0)
    x = torch.rand(4, 1, 2, 2, generator=g)
    y = torch.tensor([0, 1, 2, 1])
    lam, perm = torch.tensor([1.0, 0.5, 0.25, 0.0]), torch.tensor([1, 2, 3, 0])
    with _grading.Checker("part D") as check:
        mixed, soft = mixup(x, y, lam, perm, 3)
        ref_mixed, ref_soft = reference.mix(x, y, lam, perm, num_classes=3)
        check.close(mixed, ref_mixed, "mixed images")
        check.close(soft, ref_soft, "soft targets")
        check.close(soft.sum(1), torch.ones(4), "each row of the soft targets sums to 1")


#: The baseline's scores of the last visible check of part E, for the progress table only: the baseline
#: trains no code of the student's, so the table need not train it three more times. The visible
#: check itself (graded) never reads this: it always trains its baseline.
_last_baseline: dict = {}


def part_e(augment_batch, train_and_score, digits, *, reuse_baseline: bool = False) -> None:
    """Part E: ``augment_batch`` keeps a batch's shape, and the small CNN trained with it beats the baseline
    by at least 0.01 of validation accuracy, averaged over seeds 0, 1 and 2 (six trainings; prints every score).

    Parameters
    ----------
    augment_batch : callable
        The student's ``augment_batch(xb, yb, generator)``.
    train_and_score : callable
        The lab's given ``train_and_score(augment=None, seed=0)``.
    digits : dlcourse.data.Dataset
        The digits, as images, that the lab loaded.
    reuse_baseline : bool
        Reuse the baseline's scores of the last visible check made with these same ``train_and_score``
        and ``digits`` objects (the progress table does; the visible test cell does not).
    """
    with _grading.Checker("part E") as check:
        xb, yb = digits.X_train[:8], digits.y_train[:8]
        out = augment_batch(xb, yb, dlcourse.make_generator(0))
        check.true(isinstance(out, tuple) and len(out) == 2, "augment_batch returns a pair (xb, yb)")
        check.true(out[0].shape == xb.shape, "the augmented batch keeps its shape", hint=f"got {tuple(out[0].shape)}")
        seeds = (0, 1, 2)
        augmented = [train_and_score(augment_batch, s) for s in seeds]  # yours first: a bug stops the check early
        last = _last_baseline.get("scores") if reuse_baseline else None
        if last is not None and last[0] is train_and_score and last[1] is digits:
            baseline = list(last[2])
        else:
            baseline = [train_and_score(None, s) for s in seeds]
            _last_baseline["scores"] = (train_and_score, digits, tuple(baseline))
        gain = sum(augmented) / len(seeds) - sum(baseline) / len(seeds)
        print(
            f"validation accuracy for seeds {seeds}: baseline {[round(a, 3) for a in baseline]}, "
            f"with your augmentation {[round(a, 3) for a in augmented]}; mean gain {gain:+.3f}"
        )
        check.true(
            gain >= 0.01,
            "averaged over three seeds, your augmentation beats the baseline by at least 0.01",
            hint=f"mean gain {gain:+.3f}",
        )


#: The parts with a visible check, in order (part F is a written answer).
PARTS = (
    Part("A", "horizontal flip", part_a, ("hflip",)),
    Part("B", "crop with padding", part_b, ("pad_and_crop",)),
    Part("C", "Cutout", part_c, ("cutout",)),
    Part("D", "Mixup with soft targets", part_d, ("mixup",)),
    Part(
        "E",
        "beat the baseline",
        functools.partial(part_e, reuse_baseline=True),
        ("augment_batch",),
        given=("train_and_score", "digits"),
    ),
)


progress = lab_progress(__name__)
