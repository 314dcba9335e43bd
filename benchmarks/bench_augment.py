"""Batched augmentation vs a per-image Python loop: the same transforms on a (256, 3, 64, 64) batch.

The batched side runs the pipeline on the whole batch at once (per-sample parameters, one
``grid_sample``); the baseline loops over the images in Python and calls the pipeline's functions
on batches of one. Both draw from a seeded generator. Rows carry the throughput (images per
second) and the speed-up ``baseline time / batched time`` (target ≥ 10×).

The pipeline is timed three ways on the batch: as a fused :class:`~dlcourse.augment.Compose`
(every parameter drawn first; then, on one thread, blocks of about 1 MiB of images, each put through
the flip and the crop in one gather, colour jitter and Cutout in place and the affine map while it is
still in the processor's caches; the same values bit for bit, which :func:`check_same_batch` asserts
before timing), as the functions called one after the other, and, against a per-image loop of that
same ``Compose``, to show that the gain is not a slower baseline. The baseline of the first rows is
always the loop of the plain functions.
"""

from __future__ import annotations

import torch

from dlcourse import augment as aug
from dlcourse.runtime import make_generator

from .timing import compare

SHAPE = (256, 3, 64, 64)


def pipeline(x: torch.Tensor, generator: torch.Generator, crop_padding: int = 4, cutout_size: int = 16) -> torch.Tensor:
    """Flip, crop with padding, colour jitter, affine (rotation, translation, scale, shear) and Cutout."""
    x = aug.random_flip(x, 0.5, generator=generator)
    x = aug.random_crop(x, crop_padding, padding_mode="reflect", generator=generator)
    x = aug.color_jitter(x, 0.3, 0.3, 0.3, value_range=(0, 1), generator=generator)
    x = aug.random_affine(x, 15, (0.1, 0.1), (0.9, 1.1), 5, generator=generator)
    return aug.random_cutout(x, cutout_size, generator=generator)


def composed(crop_padding: int = 4, cutout_size: int = 16) -> aug.Compose:
    """:func:`pipeline` as transform objects, which :class:`~dlcourse.augment.Compose` fuses."""
    return aug.Compose(
        [
            aug.RandomHorizontalFlip(p=0.5),
            aug.RandomCrop(padding=crop_padding, padding_mode="reflect"),
            aug.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, value_range=(0, 1)),
            aug.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5),
            aug.Cutout(size=cutout_size),
        ]
    )


def check_same_batch(shape: tuple[int, int, int, int], **sizes) -> None:
    """The fused Compose must give exactly the batch of the functions, from the same seed, on one thread (where it
    takes the batch in blocks) and on the number of threads set now."""
    x = torch.rand(shape, generator=make_generator(0))
    expected = pipeline(x, make_generator(1), **sizes)
    previous = torch.get_num_threads()
    for threads in sorted({1, previous}):
        torch.set_num_threads(threads)
        try:
            fused = composed(**sizes)(x, generator=make_generator(1))
        finally:
            torch.set_num_threads(previous)
        if not torch.equal(fused, expected):
            raise AssertionError(
                f"the fused Compose and the functions one by one give different batches on {threads} thread(s)"
            )


#: Each transform of the pipeline alone, to show which ones gain from batching and which are bound by compute.
TRANSFORMS = {
    "flip": lambda x, g: aug.random_flip(x, 0.5, generator=g),
    "crop (reflect padding 4)": lambda x, g: aug.random_crop(x, 4, padding_mode="reflect", generator=g),
    "colour jitter": lambda x, g: aug.color_jitter(x, 0.3, 0.3, 0.3, value_range=(0, 1), generator=g),
    "affine": lambda x, g: aug.random_affine(x, 15, (0.1, 0.1), (0.9, 1.1), 5, generator=g),
    "cutout": lambda x, g: aug.random_cutout(x, 16, generator=g),
}


def _row(
    name: str,
    transform,
    shape: tuple[int, int, int, int],
    repeats: int,
    threads: int | None = None,
    *,
    per_image=None,
    baseline_name: str = "per-image Python loop",
    target: float | None = None,
) -> dict:
    """``transform(x, g)`` on the batch against ``per_image(x[i:i+1], g)`` (default: ``transform``) for every image."""
    per_image = transform if per_image is None else per_image
    x = torch.rand(shape, generator=make_generator(0))
    g = make_generator(1)
    batched = lambda: transform(x, g)
    looped = lambda: torch.cat([per_image(x[i : i + 1], g) for i in range(len(x))])
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        label = f"augment: batched {name} {'×'.join(map(str, shape))}" + (f", {threads} threads" if threads else "")
        row = compare(label, batched, baseline_name, looped, repeats=repeats, warmup=1, target=target)
    finally:
        torch.set_num_threads(previous)
    row["threads"] = threads or previous
    row["images_per_second"] = shape[0] / row["median"]
    row["baseline_images_per_second"] = shape[0] / row["baseline_median"]
    row["speedup"] = row["baseline_median"] / row["median"]
    return row


def run(repeats: int = 7) -> list[dict]:
    """The issue's (256, 3, 64, 64) photo batch through the whole pipeline (fused, with the course's thread count,
    then with 2 threads; the functions one by one; the fused Compose against a loop of itself), each transform
    alone, and a (256, 1, 8, 8) digits batch for contrast."""
    check_same_batch(SHAPE)
    check_same_batch((256, 1, 8, 8), crop_padding=1, cutout_size=3)
    fused = composed()
    fused_call = lambda x, g: fused(x, generator=g)
    # the course's target: the pipeline at least ten times faster than the per-image loop, at one thread
    rows = [
        _row("pipeline (fused Compose)", fused_call, SHAPE, repeats, per_image=pipeline, target=0.1),
        _row("pipeline (fused Compose)", fused_call, SHAPE, repeats, threads=2, per_image=pipeline),
        _row("pipeline (functions one by one)", pipeline, SHAPE, repeats),
        _row(
            "pipeline (fused Compose)",
            fused_call,
            SHAPE,
            repeats,
            baseline_name="per-image Python loop of the same Compose",
        ),
    ]
    rows += [_row(name, transform, SHAPE, repeats) for name, transform in TRANSFORMS.items()]
    digits = composed(crop_padding=1, cutout_size=3)
    rows.append(
        _row(
            "pipeline (fused Compose)",
            lambda x, g: digits(x, generator=g),
            (256, 1, 8, 8),
            repeats,
            per_image=lambda x, g: pipeline(x, g, crop_padding=1, cutout_size=3),
        )
    )
    return rows


if __name__ == "__main__":
    import dlcourse

    dlcourse.set_num_threads()
    for r in run():
        print(
            f"{r['name']} vs {r['baseline']}: {r['images_per_second']:.0f} images/s; "
            f"loop {r['baseline_images_per_second']:.0f} images/s; speed-up {r['speedup']:.1f}× "
            f"({r['median'] * 1e3:.1f} vs {r['baseline_median'] * 1e3:.1f} ms, median of {r['repeats']})"
        )
