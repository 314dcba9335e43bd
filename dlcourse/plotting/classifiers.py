"""A classifier's predictions, class by class: its decision regions in the plane and its confusion matrix."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from matplotlib.colors import ListedColormap

from ..metrics import predictions
from .base import CLASS_COLORS, _axes

__all__ = [
    "plot_decision_boundary",
    "plot_confusion_matrix",
]


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
    """Colour the plane by ``model``'s predicted class and scatter the 2-D points ``X`` by label ``y``.

    Parameters
    ----------
    model : nn.Module
        A classifier of 2-D inputs (with parameters; the grid is sent to their device), evaluated in eval
        mode; its mode is restored afterwards.
    X : torch.Tensor
        Points, shape ``(N, 2)``.
    y : torch.Tensor
        Integer class labels, shape ``(N,)``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure.
    resolution : int, default 200
        Grid points per axis.
    title : str, optional
        Title of the axes.
    margin : float, default 0.5
        Extra space around the points, in input units.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.

    Raises
    ------
    ValueError
        If ``X`` does not have 2 features.
    """
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


def plot_confusion_matrix(
    matrix, labels: Sequence[str] | None = None, ax=None, title: str | None = None, normalize: bool = False
):
    """Draw a confusion matrix (rows: true class, columns: predicted class) with its counts written in.

    ``matrix`` is what :func:`dlcourse.metrics.confusion_matrix` returns. With ``normalize=True`` each
    row is divided by its total, so the diagonal shows each class's recall and the colours do not
    depend on how common a class is; the counts are still written in the cells.

    Parameters
    ----------
    matrix : numpy.ndarray or torch.Tensor
        Counts ``>= 0``, shape ``(K, K)``, ``K >= 1``.
    labels : sequence of str, optional
        The ``K`` class names; ``None``: ``0, 1, ...``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure.
    title : str, optional
        Title of the axes.
    normalize : bool, default False
        Colour by each row's share instead of the count.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.

    Raises
    ------
    TypeError
        If ``matrix`` is neither an array nor a tensor.
    ValueError
        If it is not square and non-empty, holds a negative count, or ``labels`` has the wrong length.
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
