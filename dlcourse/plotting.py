"""Plotting helpers shared by the chapters. Every function draws on a given ``ax`` (or a new
one) and returns the figure, so it can be unit-tested and reused by the widgets."""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import ListedColormap

from . import activations as A
from .diagnostics import LayerRecord
from .metrics import predictions

__all__ = [
    "CLASS_COLORS",
    "subplots_grid",
    "plot_activation",
    "plot_decision_boundary",
    "plot_history",
    "plot_layer_histograms",
    "image_grid",
    "plot_quadratic_path",
    "plot_trajectories",
    "STRATEGY_CHOICES",
    "STRATEGY_STEPS",
    "plot_training_loop",
    "plot_confusion_matrix",
]

CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def _axes(ax, figsize=(5, 3.5)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax.figure, ax


def subplots_grid(n: int, ncols: int = 4, size: tuple[float, float] = (3.0, 2.4), **kwargs):
    """A figure with ``n`` axes in rows of ``ncols``; unused axes are hidden. Returns ``(fig, axes)``."""
    nrows = max(1, math.ceil(n / ncols))
    ncols = min(ncols, n) if n else 1
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False, **kwargs)
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def plot_activation(name: str = "relu", ax=None, x_range: tuple[float, float] = (-5.0, 5.0), **params):
    """Draw activation ``name`` (solid) and its derivative (dashed) on ``x_range``."""
    fig, ax = _axes(ax)
    x = torch.linspace(*x_range, 801, dtype=torch.float64)
    y, dy = A.evaluate(name, x, **params)
    ax.plot(x, y, label=r"$\varphi(x)$", lw=2)
    ax.plot(x, dy, "--", label=r"$\varphi'(x)$", lw=1.5)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    shown = {k: v for k, v in params.items() if v != A.get_spec(name).defaults.get(k)}
    suffix = ", ".join(f"{k}={v}" for k, v in shown.items())
    ax.set_title(f"{name}" + (f" ({suffix})" if suffix else "") + f": ${A.get_spec(name).formula}$", fontsize=9)
    ax.set_xlabel("x")
    ax.legend(fontsize=8, loc="upper left")
    return fig


@torch.no_grad()
def plot_decision_boundary(
    model,
    X: torch.Tensor,
    y: torch.Tensor,
    ax=None,
    resolution: int = 200,
    title: str | None = None,
    margin: float = 0.5,
):
    """Colour the plane by ``model``'s predicted class and scatter the 2-D points ``X`` by label ``y``."""
    fig, ax = _axes(ax, figsize=(4, 4))
    X, y = X.cpu(), y.cpu()
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 features to draw a decision boundary, got shape {tuple(X.shape)}")
    lo, hi = X.min(0).values - margin, X.max(0).values + margin
    xx, yy = torch.meshgrid(
        torch.linspace(lo[0], hi[0], resolution), torch.linspace(lo[1], hi[1], resolution), indexing="xy"
    )
    grid = torch.stack([xx.ravel(), yy.ravel()], dim=1)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = model(grid.to(device)).cpu()
    model.train(was_training)
    pred = predictions(out)
    n_classes = int(max(y.max().item(), pred.max().item())) + 1
    cmap = ListedColormap(CLASS_COLORS[:n_classes])
    ax.contourf(
        xx.numpy(),
        yy.numpy(),
        pred.reshape(xx.shape).numpy(),
        levels=np.arange(n_classes + 1) - 0.5,
        cmap=cmap,
        alpha=0.25,
    )
    ax.scatter(X[:, 0].numpy(), X[:, 1].numpy(), c=y.numpy(), cmap=cmap, s=10, edgecolors="k", linewidths=0.2)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def plot_history(history, axes=None, label: str | None = None, color=None):
    """Loss (left) and metric (right) per epoch, train solid and validation dashed."""
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3))
    fig = axes[0].figure
    prefix = f"{label} " if label else ""
    (line,) = axes[0].plot(history.epoch, history.train_loss, label=f"{prefix}train", color=color)
    color = line.get_color()
    if history.val_loss:
        axes[0].plot(history.epoch, history.val_loss, "--", label=f"{prefix}val", color=color)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("loss")
    if history.train_metric and history.train_metric[0] is not None:
        axes[1].plot(history.epoch, history.train_metric, label=f"{prefix}train", color=color)
        if history.val_metric:
            axes[1].plot(history.epoch, history.val_metric, "--", label=f"{prefix}val", color=color)
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel(history.metric_name or "metric")
    for ax in axes:
        ax.legend(fontsize=7)
    return fig


def plot_layer_histograms(
    records: Sequence[LayerRecord],
    axes=None,
    which: str = "output",
    bins: int = 60,
    value_range: tuple[float, float] | None = None,
    label: str | None = None,
):
    """One histogram per recorded layer of its outputs (``which="output"``) or gradients (``"grad"``)."""
    if which not in ("output", "grad"):
        raise ValueError(f"which must be 'output' or 'grad', got {which!r}")
    if axes is None:
        _, axes = subplots_grid(len(records), ncols=len(records), size=(2.2, 1.8), sharey=False)
    fig = axes[0].figure
    for i, (ax, rec) in enumerate(zip(axes, records)):
        values = getattr(rec, which)
        if values is None:
            raise ValueError(f"layer {rec.name!r} has no {which}: record the layers with targets y")
        v = values.detach().cpu().flatten().numpy()
        # one filled outline instead of a patch per bin: the same picture, drawn several times faster
        ax.hist(
            v, bins=bins, range=value_range, histtype="stepfilled", color=CLASS_COLORS[i % len(CLASS_COLORS)], alpha=0.8
        )
        ax.set_title(f"layer {i + 1}: std {v.std():.2g}", fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_yticks([])
    if label:
        axes[0].set_ylabel(label, fontsize=8)
    return fig


def image_grid(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    size: float = 1.4,
    cmap: str = "gray",
    value_range: tuple[float, float] | None = None,
):
    """Show a batch ``(n, C, H, W)`` (C = 1 or 3, any range: each image is min-max scaled, unless
    ``value_range = (lo, hi)`` is given: then every image is mapped with the same ``lo → 0, hi → 1``,
    so that brightness and contrast differences between images stay visible)."""
    if images.ndim != 4:
        raise ValueError(f"images must have shape (n, C, H, W), got {tuple(images.shape)}")
    fig, axes = subplots_grid(len(images), ncols=ncols, size=(size, size))
    for i, (ax, img) in enumerate(zip(axes, images.detach().cpu())):
        lo, hi = (img.min(), img.max()) if value_range is None else value_range
        img = ((img - lo) / max(float(hi - lo), 1e-12)).clamp(0, 1)
        ax.imshow((img[0] if img.shape[0] == 1 else img.permute(1, 2, 0)).numpy(), cmap=cmap)
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i], fontsize=7)
    return fig


def plot_quadratic_path(
    H: torch.Tensor,
    b: torch.Tensor,
    path: torch.Tensor,
    ax=None,
    title: str | None = None,
    levels: int = 12,
    margin: float = 0.3,
):
    r"""Contours of the 2-D quadratic :math:`L(w) = \frac12 w^\top H w - b^\top w` and a
    gradient-descent ``path`` (rows :math:`w_t`) on it, with equal axis scales so that an
    elongated bowl looks elongated. The optimum :math:`H^{-1}b` is marked with a star."""
    fig, ax = _axes(ax, figsize=(4, 4))
    H, b, path = (np.asarray(t.detach().cpu(), dtype=float) for t in (H, b, path))
    if H.shape != (2, 2) or path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"H must be 2x2 and path of shape (steps, 2), got {H.shape} and {path.shape}")
    w_star = np.linalg.solve(H, b)
    finite = path[np.isfinite(path).all(1)]
    lo = np.minimum(finite.min(0), w_star) - margin
    hi = np.maximum(finite.max(0), w_star) + margin
    span = max(hi - lo) / 2
    centre = (lo + hi) / 2
    g1, g2 = np.meshgrid(*(np.linspace(c - span, c + span, 200) for c in centre))
    d1, d2 = g1 - w_star[0], g2 - w_star[1]
    excess = 0.5 * (H[0, 0] * d1**2 + 2 * H[0, 1] * d1 * d2 + H[1, 1] * d2**2)
    ax.contour(
        g1, g2, excess, levels=np.geomspace(excess.max() * 1e-4, excess.max(), levels), cmap="viridis", linewidths=0.8
    )
    ax.plot(finite[:, 0], finite[:, 1], "o-", color="#d62728", ms=2.5, lw=1, label="gradient descent")
    ax.plot(*w_star, "*", color="k", ms=12, label="optimum")
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def plot_trajectories(
    surface, trajectories: dict, ax=None, levels: int = 30, resolution: int = 200, title: str | None = None
):
    """Contours of a :mod:`~dlcourse.surfaces` surface (log-spaced levels) with one path per entry of
    ``trajectories`` (label -> :class:`~dlcourse.surfaces.Trajectory`); start ○, end ×, minima ★."""
    from . import surfaces as S

    s = S.get_surface(surface) if isinstance(surface, str) else surface
    fig, ax = _axes(ax, figsize=(5, 4))
    X, Y, Z = S.grid(s, resolution)
    Z = Z.numpy()
    shifted = Z - Z.min() + 1e-3
    ax.contour(
        X.numpy(),
        Y.numpy(),
        shifted,
        levels=np.geomspace(shifted.min(), shifted.max(), levels),
        cmap="Greys",
        linewidths=0.6,
    )
    for (label, path), color in zip(trajectories.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"] * 3):
        pts = path.points.numpy()
        ax.plot(pts[:, 0], pts[:, 1], "-", color=color, lw=1.4, label=label + (" (diverged)" if path.diverged else ""))
        ax.plot(pts[-1, 0], pts[-1, 1], "x", color=color, ms=7)
    ax.plot(*s.start, "o", color="black", ms=5, fillstyle="none")
    for m in s.minima:
        ax.plot(*m, "*", color="gold", ms=12, markeredgecolor="black")
    ax.set_xlim(*s.xlim)
    ax.set_ylim(*s.ylim)
    ax.set_title(title or f"{s.name}: ${s.formula}$", fontsize=9)
    if trajectories:
        ax.legend(fontsize=7, loc="best")
    return fig


#: The five choices of the training strategy, with the chapter that teaches each (chapter 0's map).
STRATEGY_CHOICES = (
    ("P", "performance metric", "ch. 7–8"),
    ("C", "cost (loss) function", "ch. 7–8"),
    ("W", "weight initialization", "ch. 2"),
    ("A", "optimization algorithm", "ch. 4"),
    ("T", "tuning strategy", "ch. 7–8"),
)

#: The steps of the loop; the third lists the chapters that change what one training run does.
STRATEGY_STEPS = (
    "1. pick hyperparameters H with T",
    "2. initialise model M with W",
    "3. train M with A, using H, to minimise C\n"
    "M: activations (ch. 1), normalization (ch. 3),\nregularization (ch. 5); data: augmentation (ch. 6)",
    "4. score M on validation data with P",
)


def plot_training_loop(ax=None):
    """Draw the course map: the five choices P, C, W, A, T (left) feeding the training loop (right),
    each box labelled with the chapter that teaches it."""
    fig, ax = _axes(ax, figsize=(10, 4.6))
    choice_box = dict(boxstyle="round,pad=0.4", fc="#fff3e0", ec="#ff7f0e")
    step_box = dict(boxstyle="round,pad=0.4", fc="#eef4fb", ec="#1f77b4")
    for i, (letter, what, chapter) in enumerate(STRATEGY_CHOICES):
        ax.text(
            0.12,
            0.88 - 0.19 * i,
            f"{letter}: {what}\n({chapter})",
            ha="center",
            va="center",
            fontsize=9,
            bbox=choice_box,
        )
    ax.text(0.12, 1.02, "choose once", ha="center", fontsize=10, weight="bold")
    ys, half = [0.92, 0.74, 0.48, 0.22], [0.04, 0.04, 0.1, 0.04]  # box centres and half-heights
    for y, text in zip(ys, STRATEGY_STEPS):
        ax.text(0.6, y, text, ha="center", va="center", fontsize=9, bbox=step_box)
    for i in range(len(ys) - 1):
        ax.annotate(
            "",
            xy=(0.6, ys[i + 1] + half[i + 1] + 0.02),
            xytext=(0.6, ys[i] - half[i] - 0.02),
            arrowprops=dict(arrowstyle="->", lw=1.2),
        )
    ax.plot([0.76, 0.85, 0.85], [ys[-1], ys[-1], ys[0]], color="#2ca02c", lw=1.2)
    ax.annotate("", xy=(0.74, ys[0]), xytext=(0.85, ys[0]), arrowprops=dict(arrowstyle="->", lw=1.2, color="#2ca02c"))
    ax.text(0.95, 0.57, "T proposes\nan untried H:\nrepeat", ha="center", va="center", fontsize=8, color="#2ca02c")
    ax.annotate("", xy=(0.6, -0.03), xytext=(0.6, ys[-1] - half[-1] - 0.02), arrowprops=dict(arrowstyle="->", lw=1.2))
    ax.text(
        0.6,
        -0.08,
        "5. return the M with the best P",
        ha="center",
        va="center",
        fontsize=9,
        bbox=dict(boxstyle="round,pad=0.4", fc="#e8f5e9", ec="#2ca02c"),
    )
    ax.annotate("", xy=(0.33, 0.55), xytext=(0.24, 0.55), arrowprops=dict(arrowstyle="-|>", lw=2, color="#ff7f0e"))
    ax.set_xlim(0, 1.05)
    ax.set_ylim(-0.15, 1.08)
    ax.axis("off")
    ax.set_title("The course map: one training loop, five choices", fontsize=11)
    return fig


def plot_confusion_matrix(
    matrix, labels: Sequence[str] | None = None, ax=None, title: str | None = None, normalize: bool = False
):
    """Draw a confusion matrix (rows: true class, columns: predicted class) with its counts written in.

    ``matrix`` is what :func:`dlcourse.metrics.confusion_matrix` returns. With ``normalize=True`` each
    row is divided by its total, so the diagonal shows each class's recall and the colours do not
    depend on how common a class is; the counts are still written in the cells.
    """
    if isinstance(matrix, torch.Tensor):
        matrix = matrix.detach().cpu().numpy()
    if not isinstance(matrix, np.ndarray):
        raise TypeError(f"matrix must be a NumPy array or a tensor, got {type(matrix).__name__}")
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"matrix must be square and non-empty, got shape {matrix.shape}")
    if (matrix < 0).any():
        raise ValueError("matrix must hold counts >= 0")
    k = matrix.shape[0]
    labels = [str(i) for i in range(k)] if labels is None else [str(v) for v in labels]
    if len(labels) != k:
        raise ValueError(f"labels must have {k} entries (one per row), got {len(labels)}")
    fig, ax = _axes(ax, figsize=(1.2 + 0.55 * k, 1.0 + 0.5 * k))
    rows = matrix.sum(axis=1, keepdims=True)
    shade = matrix / np.where(rows == 0, 1, rows) if normalize else matrix
    image = ax.imshow(shade, cmap="Blues", vmin=0, vmax=1 if normalize else max(float(matrix.max()), 1.0))
    for i in range(k):
        for j in range(k):
            dark = shade[i, j] > 0.6 * (1 if normalize else max(float(matrix.max()), 1.0))
            ax.text(
                j, i, f"{int(matrix[i, j])}", ha="center", va="center", fontsize=9, color="white" if dark else "black"
            )
    ax.set_xticks(range(k), labels)
    ax.set_yticks(range(k), labels)
    ax.set(xlabel="predicted class", ylabel="true class")
    if title:
        ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the row" if normalize else "count")
    return fig
