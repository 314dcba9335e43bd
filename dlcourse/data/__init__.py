"""Offline data sets as tensors, split into train / validation / test.

Nothing here downloads: every loader uses data that ships inside scikit-learn or is
generated from a seed. Inputs are standardised with statistics fitted on the training
split only (see :class:`dlcourse.normalization.Standardizer`).

The package: ``splitting`` (:class:`DataSplits` and the random, stratified splits), ``real`` (the
data sets that ship with scikit-learn), ``synthetic`` (the data sets generated from a seed); here,
scikit-image's sample photographs (:func:`load_photos`). Import everything from ``dlcourse.data``.

Examples
--------
>>> data = load_digits(seed=0)
>>> data.X_train.shape[1], data.n_classes
(64, 10)
>>> X, y = data.train
"""

from __future__ import annotations

import torch

from .._checks import check_positive_int
from .real import load_breast_cancer, load_diabetes, load_digits
from .splitting import DataSplits, make_splits, shuffle_split, split_indices
from .synthetic import make_moons, make_seasonal_windows, make_spirals, seasonal_series, spirals

__all__ = [
    "DataSplits",
    "split_indices",
    "shuffle_split",
    "make_splits",
    "load_digits",
    "load_breast_cancer",
    "load_diabetes",
    "make_moons",
    "spirals",
    "make_spirals",
    "seasonal_series",
    "make_seasonal_windows",
    "PHOTOS",
    "load_photos",
]


#: The colour photographs that ship with scikit-image (no download), in the order of :func:`load_photos`.
PHOTOS = ("chelsea", "astronaut", "coffee")


def load_photos(size: int = 96, names=PHOTOS) -> torch.Tensor:
    """scikit-image's sample photographs as one float batch ``(n, 3, size, size)`` with values in [0, 1].

    Each photo is centre-cropped to a square and resized with antialiased bilinear interpolation.

    Parameters
    ----------
    size : int, default 96
        Side of the square output images in pixels, >= 1.
    names : sequence of str, default PHOTOS
        Names of ``skimage.data`` colour photographs, in the order of the batch.

    Returns
    -------
    torch.Tensor
        float32 batch of shape ``(len(names), 3, size, size)``.
    """
    import torch.nn.functional as F
    from skimage import data as skimage_data  # imported here: only the augmentation chapter needs it

    size = check_positive_int(size, "size")
    images = []
    for name in names:
        img = torch.from_numpy(getattr(skimage_data, name)()).permute(2, 0, 1).float() / 255.0
        h, w = img.shape[1:]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        images.append(img[:, top : top + side, left : left + side])
    batch = torch.stack(
        [
            F.interpolate(i[None], size=(size, size), mode="bilinear", antialias=True, align_corners=False)[0]
            for i in images
        ]
    )
    return batch.clamp(0, 1)
