"""A small, readable training loop: :func:`fit` and :func:`evaluate` with a :class:`History`.

The loop is deliberately plain (no hidden magic): shuffle with a seeded generator, take
mini-batches, ``zero_grad → forward → loss → backward → step``, then score the epoch.
Data are tensors ``(X, y)``; the whole set is moved to the device once, which is the
fastest choice for the course's small data sets.

Examples
--------
>>> from dlcourse.data import make_moons
>>> from dlcourse.models import make_mlp
>>> data = make_moons(200, seed=0)
>>> model = make_mlp(2, 2, depth=1, width=16)
>>> history = fit(model, data.train, data.val, epochs=3, lr=0.05, progress=False)
>>> len(history)
3
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ._checks import check_choice, check_positive, check_positive_int, check_tensor
from .metrics import METRICS
from .metrics import accuracy_metric as accuracy  # noqa: F401 - the name chapter 3 calls
from .optim import DEFAULT_LR, OPTIMIZER_NAMES, make_optimizer
from .runtime import make_generator, resolve_device

__all__ = [
    "History",
    "evaluate",
    "fit",
    "make_fit_optimizer",
]


# --------------------------------------------------------------------------- arguments
def _resolve_metric(metric):
    if metric is None or callable(metric):
        return metric
    return METRICS[check_choice(metric, "metric", METRICS)][0]


def _check_data(data, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise TypeError(f"{name} must be a pair (X, y) of tensors, got {type(data).__name__}")
    X = check_tensor(data[0], f"{name}[0] (X)")
    y = check_tensor(data[1], f"{name}[1] (y)")
    if len(X) != len(y):
        raise ValueError(f"{name}: X and y must have the same length, got {len(X)} and {len(y)}")
    return X, y


# --------------------------------------------------------------------------- history
@dataclass
class History:
    """Per-epoch record of a training run.

    Parameters
    ----------
    epoch : list of int
        Epoch numbers, from 1.
    train_loss, train_metric : list of float
        Training loss and metric per epoch (running means over the epoch's mini-batches, or eval-mode scores
        with ``fit(eval_train=True)``); the metric is ``None`` when ``fit`` had ``metric=None``.
    val_loss, val_metric : list of float
        Validation loss and metric per epoch (empty without a validation split).
    lr : list of float
        The first parameter group's learning rate during each epoch.
    seconds : list of float
        Wall-clock time of each epoch.
    metric_name : str
        Name of the metric.
    stopped_early : bool
        Whether a callback stopped training before the last epoch.
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    metric_name: str = ""
    stopped_early: bool = False

    def __len__(self) -> int:
        return len(self.epoch)

    def last(self) -> dict:
        """The final epoch's numbers as a dict.

        Returns
        -------
        dict
            ``epoch``, ``train_loss``, ``train_metric`` and, if recorded, ``val_loss`` and ``val_metric``.
        """
        keys = ("epoch", "train_loss", "train_metric", "val_loss", "val_metric")
        return {k: getattr(self, k)[-1] for k in keys if getattr(self, k)}

    def as_dict(self) -> dict[str, list]:
        """Every per-epoch list, copied.

        Returns
        -------
        dict of str to list
            ``epoch``, ``train_loss``, ``train_metric``, ``val_loss``, ``val_metric``, ``lr``, ``seconds``.
        """
        keys = ("epoch", "train_loss", "train_metric", "val_loss", "val_metric", "lr", "seconds")
        return {k: list(getattr(self, k)) for k in keys}


# --------------------------------------------------------------------------- loops
def make_fit_optimizer(optimizer, model: nn.Module, lr: float | None) -> torch.optim.Optimizer:
    """The optimizer :func:`fit` trains ``model`` with, from a name, an optimizer object or a factory.

    Parameters
    ----------
    optimizer : str, optimizer or callable
        A name of :data:`dlcourse.optim.OPTIMIZER_NAMES` (built with ``lr`` by :func:`dlcourse.optim.make_optimizer`),
        an optimizer object (returned as it is), or a callable ``params -> optimizer``.
    model : nn.Module
        Whose parameters a named optimizer or a factory is built on.
    lr : float or None
        Learning rate of a named optimizer (``None``: :data:`dlcourse.optim.DEFAULT_LR`).

    Returns
    -------
    torch.optim.Optimizer
        The optimizer.

    Raises
    ------
    ValueError
        If ``lr`` is given with an optimizer object or factory, which sets its own learning rate.
    TypeError
        If ``optimizer`` is none of the three.
    """
    if isinstance(optimizer, str):
        name = check_choice(optimizer, "optimizer", OPTIMIZER_NAMES)
        return make_optimizer(name, model.parameters(), lr=check_positive(DEFAULT_LR if lr is None else lr, "lr"))
    if not (isinstance(optimizer, torch.optim.Optimizer) or callable(optimizer)):
        raise TypeError(
            f"optimizer must be a name, an optimizer or a callable params -> optimizer, got {type(optimizer).__name__}"
        )
    if lr is not None:
        raise ValueError(
            f"lr is used only with a named optimizer; this {type(optimizer).__name__} sets its own "
            "learning rate, so give lr to it and not to fit"
        )
    return optimizer if isinstance(optimizer, torch.optim.Optimizer) else optimizer(model.parameters())


@torch.no_grad()
def evaluate(
    model: nn.Module,
    data,
    *,
    loss_fn: Callable = F.cross_entropy,
    metric="accuracy",
    batch_size: int = 4096,
    device=None,
) -> tuple[float, float | None]:
    """Mean loss and metric of ``model`` (in eval mode) on ``data = (X, y)``; restores the mode after.

    Parameters
    ----------
    model : nn.Module
        The model; the data are moved to its device (or to ``device``).
    data : tuple of torch.Tensor
        ``(X, y)``.
    loss_fn : callable, default cross-entropy
        ``loss_fn(output, target) -> scalar``.
    metric : str, callable or None, default "accuracy"
        A name of :data:`dlcourse.metrics.METRICS`, a callable ``(output, target) -> float``, or ``None``.
    batch_size : int, default 4096
        Examples per forward pass (memory, not the result).
    device : str or torch.device, optional
        Where to evaluate; by default the device of the model's parameters.

    Returns
    -------
    tuple of (float, float or None)
        ``(loss, metric)``; the metric is ``None`` when ``metric=None``.
    """
    X, y = _check_data(data, "data")
    device = device or next(model.parameters()).device
    metric_fn = _resolve_metric(metric)
    was_training = model.training
    model.eval()
    outputs = [model(X[i : i + batch_size].to(device)) for i in range(0, len(X), batch_size)]
    model.train(was_training)
    out = torch.cat(outputs)
    y = y.to(device)
    loss = loss_fn(out, y).item()
    return loss, (metric_fn(out, y) if metric_fn else None)


def fit(
    model: nn.Module,
    train,
    val=None,
    *,
    epochs: int = 10,
    lr: float | None = None,
    optimizer="adam",
    loss_fn: Callable = F.cross_entropy,
    metric="accuracy",
    batch_size: int = 64,
    seed: int = 0,
    scheduler=None,
    callbacks: Iterable[Callable] = (),
    eval_train: bool = False,
    device=None,
    progress: bool = True,
    desc: str = "epochs",
    transform: Callable | None = None,
) -> History:
    """Train ``model`` on ``train = (X, y)`` and return the :class:`History`.

    Parameters
    ----------
    model : nn.Module
        The model to train, in place; it is moved to ``device``.
    train : tuple of torch.Tensor
        The training split ``(X, y)``.
    val : tuple of torch.Tensor, optional
        A validation split, scored after every epoch.
    epochs : int, default 10
        Passes over ``train``.
    lr : float, optional
        Learning rate of a *named* optimizer (default :data:`dlcourse.optim.DEFAULT_LR`, 1e-3).
        Giving ``lr`` with an optimizer instance or callable, which set their own, is a ``ValueError``.
    optimizer : str, optimizer or callable
        A name of :data:`dlcourse.optim.OPTIMIZER_NAMES` (``"sgd"``, ``"adam"``, ``"adamw"``,
        ``"rmsprop"``, ..., built by :func:`dlcourse.optim.make_optimizer` with ``lr``), an
        optimizer instance, or a callable ``params -> optimizer``.
    loss_fn : callable
        ``loss_fn(output, target) -> scalar`` (default: cross-entropy on logits).
    metric : str, callable or None
        A name of :data:`dlcourse.metrics.METRICS` (``"accuracy"``, ``"mse"``, ...), a callable
        ``(output, target) -> float``, or ``None``.
    batch_size : int, default 64
        Examples per mini-batch (the last one may be smaller).
    seed : int, default 0
        Seeds the generator that shuffles the mini-batches.
    scheduler : learning-rate scheduler, optional
        Stepped once per epoch (``ReduceLROnPlateau`` is stepped with the validation loss).
    callbacks : iterable of callables
        ``(epoch, history, model) -> bool``; a true return stops training (early stopping
        plugs in here).
    eval_train : bool
        Score the training split in eval mode after each epoch (slower, but comparable with
        validation when dropout or batch norm behave differently in training); by default
        the train numbers are running means over the epoch's mini-batches.
    device : str or torch.device, optional
        Where to train (default :func:`dlcourse.runtime.get_device`).
    progress : bool
        Show a ``tqdm`` progress bar over epochs.
    desc : str, default "epochs"
        The progress bar's label.
    transform : callable, optional
        ``(xb, yb) -> (xb, yb)`` applied to every training mini-batch before the forward pass
        (data augmentation, e.g. a :class:`dlcourse.augment.Compose`; it may turn ``yb`` into soft
        targets, as Mixup does). Validation and ``eval_train`` scores use the untransformed data;
        the running train numbers are measured on the transformed batches.

    Returns
    -------
    History
        The per-epoch record.
    """
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    X, y = _check_data(train, "train")
    val = _check_data(val, "val") if val is not None else None
    device = resolve_device(device)
    model.to(device)
    X, y = X.to(device), y.to(device)
    metric_fn = _resolve_metric(metric)
    opt = make_fit_optimizer(optimizer, model, lr)
    generator = make_generator(seed)
    history = History(metric_name=metric if isinstance(metric, str) else getattr(metric, "__name__", ""))
    bar = tqdm(range(1, epochs + 1), desc=desc, disable=not progress, leave=False)
    for epoch in bar:
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(X), generator=generator).to(device)
        total_loss, total_metric, seen = 0.0, 0.0, 0
        for i in range(0, len(X), batch_size):
            idx = order[i : i + batch_size]
            xb, yb = X[idx], y[idx]
            if transform is not None:
                xb, yb = transform(xb, yb)
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            total_loss += loss.item() * len(idx)
            if metric_fn is not None:
                total_metric += metric_fn(out.detach(), yb) * len(idx)
            seen += len(idx)
        if eval_train:
            train_loss, train_metric = evaluate(model, (X, y), loss_fn=loss_fn, metric=metric_fn)
        else:
            train_loss, train_metric = total_loss / seen, (total_metric / seen if metric_fn else None)
        history.epoch.append(epoch)
        history.train_loss.append(train_loss)
        history.train_metric.append(train_metric)
        history.lr.append(opt.param_groups[0]["lr"])
        if val is not None:
            val_loss, val_metric = evaluate(model, val, loss_fn=loss_fn, metric=metric_fn)
            history.val_loss.append(val_loss)
            history.val_metric.append(val_metric)
        if scheduler is not None:
            if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                scheduler.step(history.val_loss[-1] if val is not None else train_loss)
            else:
                scheduler.step()
        history.seconds.append(time.perf_counter() - start)
        bar.set_postfix(loss=f"{train_loss:.3f}", **({"val_loss": f"{history.val_loss[-1]:.3f}"} if val else {}))
        stop_votes = [bool(cb(epoch, history, model)) for cb in callbacks]  # every callback sees every epoch
        if any(stop_votes):
            history.stopped_early = True
            break
    bar.close()
    return history
