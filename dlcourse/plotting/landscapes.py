"""Loss landscapes: contours of a 2-D quadratic or of a test surface, with the paths optimizers take on them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from .base import _axes

__all__ = [
    "plot_quadratic_path",
    "plot_trajectories",
]


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
    elongated bowl looks elongated. The optimum :math:`H^{-1}b` is marked with a star.

    Parameters
    ----------
    H : torch.Tensor
        The Hessian, shape ``(2, 2)``, invertible.
    b : torch.Tensor
        Shape ``(2,)``.
    path : torch.Tensor
        The iterates, shape ``(steps, 2)``; rows that are not finite (divergence) are left out.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure.
    title : str, optional
        Title of the axes.
    levels : int, default 12
        Number of (log-spaced) contour levels.
    margin : float, default 0.3
        Extra space around the path and the optimum.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.

    Raises
    ------
    ValueError
        If ``H`` is not 2x2 or ``path`` not of shape ``(steps, 2)``.
    """
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
    ``trajectories`` (label -> :class:`~dlcourse.surfaces.Trajectory`); start ○, end ×, minima ★.

    Parameters
    ----------
    surface : str or dlcourse.surfaces.Surface
        The surface, or its name (``"rosenbrock"``, ...).
    trajectories : dict
        Label -> :class:`~dlcourse.surfaces.Trajectory`; a diverged one is marked so in the legend.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure.
    levels : int, default 30
        Number of contour levels.
    resolution : int, default 200
        Grid points per axis.
    title : str, optional
        Title; ``None``: the surface's name and formula.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    from .. import surfaces as S

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
