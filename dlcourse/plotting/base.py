"""What the plots share: the class colours, one axes or a new figure (:func:`_axes`), a grid of axes
(:func:`subplots_grid`), and a grid of images (:func:`image_grid`)."""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import torch

__all__ = [
    "CLASS_COLORS",
    "subplots_grid",
    "image_grid",
]


CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def _axes(ax, figsize=(5, 3.5)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax.figure, ax


def subplots_grid(n: int, ncols: int = 4, size: tuple[float, float] = (3.0, 2.4), **kwargs):
    """A figure with ``n`` axes in rows of ``ncols``; unused axes are hidden. Returns ``(fig, axes)``.

    Parameters
    ----------
    n : int
        Number of axes wanted (0 gives a figure with one hidden axes).
    ncols : int, default 4
        Axes per row (fewer if ``n`` is smaller).
    size : tuple of float, default (3.0, 2.4)
        Width and height of one axes, in inches.
    **kwargs
        Passed to ``matplotlib.pyplot.subplots`` (e.g. ``sharey``).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The new figure.
    axes : numpy.ndarray of matplotlib.axes.Axes
        The ``n`` visible axes, flattened row by row.
    """
    nrows = max(1, math.ceil(n / ncols))
    ncols = min(ncols, n) if n else 1
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False, **kwargs)
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def image_grid(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    size: float = 1.0,
    cmap: str = "gray",
    value_range: tuple[float, float] | None = None,
    title_colors: Sequence[str] | None = None,
):
    """Show a batch ``(n, C, H, W)`` (C = 1 or 3, any range: each image is min-max scaled, unless
    ``value_range = (lo, hi)`` is given: then every image is mapped with the same ``lo → 0, hi → 1``,
    so that brightness and contrast differences between images stay visible).

    The images are laid out in rows of ``ncols`` on **one** axes, each image ``size`` inches square with
    a gap of a fifth of that between them, and its title (7 points, one line or more) above it. One axes instead of one per image
    draws a grid of twenty photographs three times faster: the cost of a figure is mostly its axes.

    Parameters
    ----------
    images : torch.Tensor
        The batch, shape ``(n, C, H, W)`` with ``C`` = 1 or 3.
    titles : sequence of str, optional
        One title per image.
    ncols : int, default 8
        Images per row, >= 1.
    size : float, default 1.0
        Side of one image, in inches (> 0).
    cmap : str, default "gray"
        Colormap of single-channel images.
    value_range : tuple of float, optional
        ``(lo, hi)`` mapped to black and white for every image; ``None``: each image min-max scaled.
    title_colors : sequence of str, optional
        One matplotlib colour per title (e.g. to mark some images in red); ``None``: all black.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure; its one axes holds the images in order (``fig.axes[0].images``) and their titles
        (``fig.axes[0].texts``).

    Raises
    ------
    ValueError
        If ``images`` is not 4-D with 1 or 3 channels, if ``titles`` or ``title_colors`` does not have
        one entry per image, or if ``ncols`` or ``size`` is not positive.
    """
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"images must have shape (n, C, H, W) with C = 1 or 3, got {tuple(images.shape)}")
    for name, entries in (("titles", titles), ("title_colors", title_colors)):
        if entries is not None and len(entries) != len(images):
            raise ValueError(f"{name} must have one entry per image ({len(images)}), got {len(entries)}")
    if int(ncols) != ncols or ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    if not size > 0:
        raise ValueError(f"size must be positive (inches), got {size!r}")
    n = len(images)
    ncols = int(min(ncols, max(n, 1)))
    nrows = max(1, math.ceil(n / ncols))
    gap = 0.2 * size
    lines = max((str(t).count("\n") + 1 for t in titles), default=1) if titles is not None else 0
    title_height = 0.035 + lines * 7 * 1.2 / 72 if titles is not None else 0.0  # 7-point lines, in inches
    width = ncols * size + (ncols - 1) * gap
    row_pitch = title_height + size + gap / 2
    height = nrows * row_pitch - gap / 2
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))  # axes units are inches: x to the right, y downwards
    ax.set_axis_off()
    for i, img in enumerate(images.detach().cpu()):
        lo, hi = (img.min(), img.max()) if value_range is None else value_range
        img = ((img - lo) / max(float(hi - lo), 1e-12)).clamp(0, 1)
        row, col = divmod(i, ncols)
        left, top = col * (size + gap), row * row_pitch + title_height
        pixels = img[0] if img.shape[0] == 1 else img.permute(1, 2, 0)
        ax.imshow(pixels.numpy(), cmap=cmap, vmin=0, vmax=1, extent=(left, left + size, top + size, top), aspect="auto")
        if titles is not None:
            color = "black" if title_colors is None else title_colors[i]
            ax.text(left + size / 2, top - 0.03, titles[i], ha="center", va="bottom", fontsize=7, color=color)
    ax.set(xlim=(0, width), ylim=(height, 0))
    return fig
