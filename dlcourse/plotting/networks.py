"""Inside a network and its training run: an activation and its derivative, the loss and metric curves of a
run, and per-layer histograms of outputs or gradients."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import torch

from .. import activations as A
from ..diagnostics import LayerRecord
from .base import CLASS_COLORS, _axes, subplots_grid

__all__ = [
    "plot_activation",
    "plot_history",
    "plot_layer_histograms",
]


def plot_activation(name: str = "relu", ax=None, x_range: tuple[float, float] = (-5.0, 5.0), **params):
    """Draw activation ``name`` (solid) and its derivative (dashed) on ``x_range``.

    Parameters
    ----------
    name : str, default "relu"
        A name from :func:`dlcourse.activations.activation_names`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure.
    x_range : tuple of float, default (-5.0, 5.0)
        The interval of ``x`` shown.
    **params
        The activation's parameters (e.g. ``alpha``); those that differ from the defaults go in the title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
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


def plot_history(history, axes=None, label: str | None = None, color=None):
    """Loss (left) and metric (right) per epoch, train solid and validation dashed.

    Parameters
    ----------
    history : dlcourse.training.History
        The record of a training run.
    axes : sequence of two matplotlib.axes.Axes, optional
        Where to draw the loss and the metric; ``None``: a new figure. Pass the same axes again to overlay runs.
    label : str, optional
        Prefix of the legend entries (the run's name).
    color : optional
        A matplotlib colour for both curves; ``None``: the next colour of the cycle.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
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
    """One histogram per recorded layer of its outputs (``which="output"``) or gradients (``"grad"``).

    Parameters
    ----------
    records : sequence of LayerRecord
        What :func:`dlcourse.diagnostics.record_layers` returns.
    axes : sequence of matplotlib.axes.Axes, optional
        One axes per record; ``None``: a new figure with one row.
    which : {"output", "grad"}, default "output"
        The attribute of the records to histogram.
    bins : int, default 60
        Number of bins.
    value_range : tuple of float, optional
        The histograms' ``(low, high)`` range; ``None``: each layer's own range.
    label : str, optional
        The y-label of the first axes.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.

    Raises
    ------
    ValueError
        If ``which`` is invalid, or ``which="grad"`` and a record has no gradient.
    """
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
