"""Batched augmentation vs a per-image Python loop: the same transforms on a (256, 3, 64, 64) batch.

The batched side calls each :mod:`dlcourse.augment` random function once on the whole batch
(per-sample parameters, one ``grid_sample``); the baseline loops over the images in Python and
calls the same functions on batches of one. Both draw from a seeded generator. Rows carry the
throughput (images per second) and the speed-up ``baseline time / batched time`` (target ≥ 10×).
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


#: Each transform of the pipeline alone, to show which ones gain from batching and which are bound by compute.
TRANSFORMS = {
    "flip": lambda x, g: aug.random_flip(x, 0.5, generator=g),
    "crop (reflect padding 4)": lambda x, g: aug.random_crop(x, 4, padding_mode="reflect", generator=g),
    "colour jitter": lambda x, g: aug.color_jitter(x, 0.3, 0.3, 0.3, value_range=(0, 1), generator=g),
    "affine": lambda x, g: aug.random_affine(x, 15, (0.1, 0.1), (0.9, 1.1), 5, generator=g),
    "cutout": lambda x, g: aug.random_cutout(x, 16, generator=g),
}


def _row(name: str, transform, shape: tuple[int, int, int, int], repeats: int, threads: int | None = None) -> dict:
    x = torch.rand(shape, generator=make_generator(0))
    g = make_generator(1)
    batched = lambda: transform(x, g)
    looped = lambda: torch.cat([transform(x[i:i + 1], g) for i in range(len(x))])
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        label = f"augment: batched {name} {'×'.join(map(str, shape))}" + (f", {threads} threads" if threads else "")
        row = compare(label, batched, "per-image Python loop", looped, repeats=repeats, warmup=1)
    finally:
        torch.set_num_threads(previous)
    row["threads"] = threads or previous
    row["images_per_second"] = shape[0] / row["median"]
    row["baseline_images_per_second"] = shape[0] / row["baseline_median"]
    row["speedup"] = row["baseline_median"] / row["median"]
    return row


def run(repeats: int = 7) -> list[dict]:
    """The issue's (256, 3, 64, 64) photo batch through the whole pipeline (with the course's thread count,
    then with 2 threads), each transform alone, and a (256, 1, 8, 8) digits batch for contrast."""
    photos = lambda x, g: pipeline(x, g)
    rows = [_row("pipeline", photos, SHAPE, repeats), _row("pipeline", photos, SHAPE, repeats, threads=2)]
    rows += [_row(name, transform, SHAPE, repeats) for name, transform in TRANSFORMS.items()]
    rows.append(_row("pipeline", lambda x, g: pipeline(x, g, crop_padding=1, cutout_size=3), (256, 1, 8, 8), repeats))
    return rows


if __name__ == "__main__":
    import dlcourse

    dlcourse.set_num_threads()
    for r in run():
        print(f"{r['name']}: {r['images_per_second']:.0f} images/s; loop {r['baseline_images_per_second']:.0f} "
              f"images/s; speed-up {r['speedup']:.1f}×")
