r"""Regularizers that act on the training run rather than on the loss: early stopping and weight averaging.

Both are callbacks of :func:`dlcourse.training.fit`.

Examples
--------
>>> stop = EarlyStopping(patience=2)
>>> stop.patience
2
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from .._checks import (
    check_choice,
    check_nonnegative,
    check_positive_int,
    check_probability,
)

__all__ = ["EarlyStopping", "WeightAverage"]


# --------------------------------------------------------------------------- early stopping
_MONITORS = ("val_loss", "val_metric", "train_loss", "train_metric")


class EarlyStopping:
    r"""Stop when the monitored number has not improved for ``patience`` epochs; keep the best weights.

    A callback for :func:`dlcourse.training.fit` (``callbacks=[stopper]``): called as
    ``stopper(epoch, history, model)`` after each epoch, it returns ``True`` to stop. An epoch
    *improves* when (``mode="min"``) :math:`v < v_\text{best} - \delta` or (``mode="max"``)
    :math:`v > v_\text{best} + \delta`, with :math:`\delta` = ``min_delta``. On improvement the weights are
    copied; when ``patience`` epochs in a row fail to improve, the best copy is loaded back into the
    model (``restore_best=True``) and training stops. If training ends first, call
    :meth:`restore` yourself. :attr:`state` shows the bookkeeping.

    Parameters
    ----------
    patience : int, default 5
        Number of epochs in a row without improvement before stopping; must be >= 1.
    min_delta : float, default 0.0
        The margin :math:`\delta` an epoch must beat the best by; must be >= 0.
    mode : {"min", "max"}, default "min"
        Whether smaller (a loss) or larger (a metric) is better.
    monitor : {"val_loss", "val_metric", "train_loss", "train_metric"}, default "val_loss"
        The attribute of the training history that is watched.
    restore_best : bool, default True
        Load the best weights back into the model when stopping.

    Raises
    ------
    ValueError
        When called, if the monitored series of the history has no value for the epoch.
    """

    def __init__(
        self,
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "min",
        monitor: str = "val_loss",
        restore_best: bool = True,
    ):
        self.patience = check_positive_int(patience, "patience")
        self.min_delta = check_nonnegative(min_delta, "min_delta")
        self.mode = check_choice(mode, "mode", ("min", "max"))
        self.monitor = check_choice(monitor, "monitor", _MONITORS)
        self.restore_best = bool(restore_best)
        self.reset()

    def reset(self) -> None:
        """Forget everything (to reuse the object for a new run).

        The parameters (``patience``, ``mode``, ...) are kept.
        """
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_weights: dict[str, torch.Tensor] | None = None

    @property
    def state(self) -> dict:
        """``best``, ``best_epoch``, ``wait`` (epochs since the best) and ``stopped_epoch`` (``None`` if not stopped)."""
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
        }

    def improved(self, value: float) -> bool:
        """Whether ``value`` beats the best so far by more than ``min_delta``.

        Parameters
        ----------
        value : float
            The monitored number for the current epoch.

        Returns
        -------
        bool
            ``True`` if it improves on the best (always, before the first epoch is recorded).
        """
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def __call__(self, epoch: int, history, model: nn.Module) -> bool:
        series = getattr(history, self.monitor)
        if not series or series[-1] is None:
            raise ValueError(f"monitor={self.monitor!r} has no value in the history (pass val data to fit?)")
        value = float(series[-1])
        if self.improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            self.best_weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            if self.restore_best:
                self.restore(model)
            return True
        return False

    def restore(self, model: nn.Module) -> None:
        """Load the best weights seen so far into ``model``.

        Parameters
        ----------
        model : nn.Module
            The model being trained; its ``state_dict`` is overwritten in place.

        Raises
        ------
        RuntimeError
            If no epoch has been recorded yet.
        """
        if self.best_weights is None:
            raise RuntimeError("no weights recorded yet: restore() needs at least one epoch")
        model.load_state_dict(self.best_weights)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, mode={self.mode!r}, patience={self.patience}, "
            f"min_delta={self.min_delta}, state={self._rounded_state()})"
        )

    def _rounded_state(self) -> dict:
        return {**self.state, "best": None if self.best is None else round(self.best, 4)}


# --------------------------------------------------------------------------- weight averaging
class WeightAverage:
    r"""A running average of a model's parameters, kept in a copy, ``module``.

    - ``decay=None`` — Polyak (uniform) averaging: :math:`\bar w_n = \bar w_{n-1} + (w_n - \bar w_{n-1}) / n`,
      the mean of every snapshot (torch's ``AveragedModel`` default, as in SWA);
    - ``decay=β`` — exponential moving average: :math:`\bar w_n = \beta\,\bar w_{n-1} + (1 - \beta)\,w_n`
      (torch's ``get_ema_multi_avg_fn(β)``).

    The first :meth:`update` copies the weights. Buffers (batch-norm statistics) are copied, not averaged.
    It is also a :func:`~dlcourse.training.fit` callback that averages once per epoch.

    Parameters
    ----------
    model : nn.Module
        The model to average; it is deep-copied into ``module`` (whose parameters do not require grad).
    decay : float, optional
        The EMA decay :math:`\beta`, in [0, 1]; ``None`` (the default) for the uniform (Polyak) average.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module``.
    """

    def __init__(self, model: nn.Module, decay: float | None = None):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
        self.decay = None if decay is None else check_probability(decay, "decay")
        self.module = copy.deepcopy(model)
        for p in self.module.parameters():
            p.requires_grad_(False)
        self.n_averaged = 0

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        """Fold ``model``'s current parameters into the average.

        Parameters
        ----------
        model : nn.Module
            A model with the same architecture as the averaged one; its buffers are copied as they are.
        """
        for avg, p in zip(self.module.parameters(), model.parameters()):
            p = p.detach().to(avg.device)
            if self.n_averaged == 0:
                avg.copy_(p)
            elif self.decay is None:
                avg.add_((p - avg) / (self.n_averaged + 1))
            else:
                avg.lerp_(p, 1.0 - self.decay)
        for avg_b, b in zip(self.module.buffers(), model.buffers()):
            avg_b.copy_(b)
        self.n_averaged += 1

    def __call__(self, epoch: int, history, model: nn.Module) -> bool:
        self.update(model)
        return False
