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


def _row(shape: tuple[int, int, int, int], crop_padding: int, cutout_size: int, repeats: int) -> dict:
    x = torch.rand(shape, generator=make_generator(0))
    g = make_generator(1)
    batched = lambda: pipeline(x, g, crop_padding, cutout_size)
    looped = lambda: torch.cat([pipeline(x[i:i + 1], g, crop_padding, cutout_size) for i in range(len(x))])
    row = compare(f"augment: batched pipeline {'×'.join(map(str, shape))}", batched, "per-image Python loop",
                  looped, repeats=repeats, warmup=1)
    row["images_per_second"] = shape[0] / row["median"]
    row["baseline_images_per_second"] = shape[0] / row["baseline_median"]
    row["speedup"] = row["baseline_median"] / row["median"]
    return row


def run(repeats: int = 7) -> list[dict]:
    """The issue's (256, 3, 64, 64) photo batch, and a (256, 1, 8, 8) digits batch for contrast."""
    return [_row(SHAPE, 4, 16, repeats), _row((256, 1, 8, 8), 1, 3, repeats)]


if __name__ == "__main__":
    import dlcourse

    dlcourse.set_num_threads()
    for r in run():
        print(f"{r['name']}: {r['images_per_second']:.0f} images/s; loop {r['baseline_images_per_second']:.0f} "
              f"images/s; speed-up {r['speedup']:.1f}×")
