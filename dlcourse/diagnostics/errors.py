"""Error analysis: the examples a model gets most wrong (:func:`worst_examples`), and the gaps between the levels of
performance, with what to work on next (:func:`performance_gaps`)."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_number, check_positive_int, check_tensor

__all__ = [
    "worst_examples",
    "REMEDIES",
    "performance_gaps",
]


@torch.no_grad()
def worst_examples(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, k: int = 10, loss_fn: Callable = F.cross_entropy
) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices and losses of the ``k`` examples with the largest loss, worst first.

    Error analysis starts here: look at them. Mislabelled examples, a class the model
    confuses, a pre-processing bug — they all show up at the top of this list.
    ``loss_fn`` must accept ``reduction="none"`` (all of :mod:`dlcourse.losses` and
    ``torch.nn.functional``'s losses do).

    Parameters
    ----------
    model : nn.Module
        The model; evaluated in eval mode, its mode is restored afterwards.
    X : torch.Tensor
        Inputs, shape ``(N, ...)``.
    y : torch.Tensor
        Their targets.
    k : int, default 10
        Number of examples; must be >= 1 (at most ``N`` are returned).
    loss_fn : callable, default ``torch.nn.functional.cross_entropy``
        ``loss_fn(output, target, reduction="none")``; per-example losses of more than one element are averaged.

    Returns
    -------
    indices : torch.Tensor
        int64, shape ``(min(k, N),)``, into ``X``.
    losses : torch.Tensor
        Their losses, same shape, in decreasing order.
    """
    X, y = check_tensor(X, "X"), check_tensor(y, "y")
    k = min(check_positive_int(k, "k"), len(X))
    was_training = model.training
    model.eval()
    losses = loss_fn(model(X), y, reduction="none").reshape(len(X), -1).mean(dim=1)
    model.train(was_training)
    values, idx = losses.topk(k)
    return idx, values


REMEDIES = {
    "avoidable bias": "bigger model, train longer / better optimizer, other architecture, less regularization",
    "variance": "more data, regularization (L2, dropout, augmentation, early stopping), other architecture",
    "data mismatch": "make training data more like the target data (collect, synthesise), analyse the errors",
}


def performance_gaps(
    human_error: float, train_error: float, val_error: float, train_dev_error: float | None = None
) -> dict:
    r"""The gaps between levels of performance (all given as *errors*, e.g. 1 − accuracy), and which to work on.

    * avoidable bias :math:`= E_\text{train} - E_\text{human}` (human-level error as a proxy for
      the Bayes error, the best any model can do);
    * variance :math:`= E_\text{train-dev} - E_\text{train}` (or :math:`E_\text{val} - E_\text{train}`
      without a train-dev set);
    * data mismatch :math:`= E_\text{val} - E_\text{train-dev}` (only with a train-dev set).

    Parameters
    ----------
    human_error : float
        Human-level error (proxy for the Bayes error).
    train_error : float
        Training error.
    val_error : float
        Validation error.
    train_dev_error : float, optional
        Error on a train-dev set (training distribution, not trained on); ``None`` if there is none.

    Returns
    -------
    dict
        The gaps, the ``focus`` (the largest gap) and its remedies from ``REMEDIES``: keys
        ``"avoidable bias"``, ``"variance"`` (and ``"data mismatch"`` with a train-dev set), ``"focus"`` and
        ``"remedy"``.
    """
    errors = {"human_error": human_error, "train_error": train_error, "val_error": val_error}
    if train_dev_error is not None:
        errors["train_dev_error"] = train_dev_error
    for name, value in errors.items():
        check_number(value, name)
    gaps = {"avoidable bias": train_error - human_error}
    if train_dev_error is None:
        gaps["variance"] = val_error - train_error
    else:
        gaps["variance"] = train_dev_error - train_error
        gaps["data mismatch"] = val_error - train_dev_error
    focus = max(gaps, key=gaps.get)
    return {**gaps, "focus": focus, "remedy": REMEDIES[focus]}
