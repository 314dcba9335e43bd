"""NaN hunting: the first layer whose forward output is not finite, and the backward op that returned NaN
(:func:`find_nan`, with ``torch.autograd.detect_anomaly``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_tensor
from .layers import record_layers

__all__ = [
    "NanReport",
    "find_nan",
]


@dataclass
class NanReport:
    """Where a non-finite value first appeared: the forward layer and/or the backward op.

    Parameters
    ----------
    found : bool
        Whether anything non-finite was found.
    layer : str, optional
        Name of the first layer whose forward output is not finite.
    op : str, optional
        Name of the backward function that returned NaN (``"LogBackward0"``).
    message : str, default ""
        The anomaly-mode error message, or the non-finite loss.
    """

    found: bool
    layer: str | None = None
    op: str | None = None
    message: str = ""

    def __str__(self) -> str:
        if not self.found:
            return "no NaN or inf in the forward pass, no NaN in the backward pass"
        parts = (
            ([f"first non-finite output at layer {self.layer!r}"] if self.layer else [])
            + ([f"backward op {self.op} returned NaN"] if self.op else [])
            + ([] if self.layer or self.op else [self.message])
        )
        return "; ".join(parts)


def find_nan(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    loss_fn: Callable = F.cross_entropy,
    layer_types: tuple[type, ...] = (nn.Module,),
) -> NanReport:
    """Hunt for NaN: the first layer whose forward output is not finite, and the backward op
    that produced a NaN gradient, named by ``torch.autograd.detect_anomaly``.

    Anomaly mode checks every backward function's output and raises ``RuntimeError`` naming
    the first one that returns NaN (e.g. ``LogBackward0`` for ``log`` of a 0 probability).
    It makes back-propagation slow: use it to debug, not to train.

    Parameters
    ----------
    model : nn.Module
        The network; its parameters' ``.grad`` are left as they were.
    X : torch.Tensor
        A batch of inputs.
    y : torch.Tensor
        Their targets.
    loss_fn : callable, default ``torch.nn.functional.cross_entropy``
        ``loss_fn(model(X), y) -> scalar``.
    layer_types : tuple of type, default ``(nn.Module,)``
        Module types whose outputs are checked (by default every submodule).

    Returns
    -------
    NanReport
        ``found`` is ``False`` when the forward pass, the loss and the backward pass are all fine.
    """
    import re
    import warnings

    X, y = check_tensor(X, "X"), check_tensor(y, "y")
    layer = None
    with torch.no_grad():
        for record in record_layers(model, X, layer_types=layer_types):
            if not torch.isfinite(record.output).all():
                layer = record.name
                break
    op, message = None, ""
    saved_grads = {p: p.grad for p in model.parameters()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # anomaly mode warns with a machine-dependent traceback
            with torch.autograd.detect_anomaly():
                loss = loss_fn(model(X), y)
                loss.backward()
        if not torch.isfinite(loss):
            message = f"loss is {float(loss)}"
    except RuntimeError as exc:
        message = str(exc)
        match = re.search(r"Function '(\w+)' returned nan", message)
        op = match.group(1) if match else None
    finally:
        for p, g in saved_grads.items():
            p.grad = g
    return NanReport(bool(layer or op or message), layer, op, message)
