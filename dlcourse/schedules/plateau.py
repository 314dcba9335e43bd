"""Performance scheduling: :class:`ReduceOnPlateau`, stepped with a validation metric, which lowers
the rate when the metric stops improving."""

from __future__ import annotations

import math

import torch
from torch.optim.lr_scheduler import ReduceLROnPlateau

from .._checks import check_choice, check_nonnegative, check_number, check_probability

__all__ = [
    "ReduceOnPlateau",
]


class ReduceOnPlateau(ReduceLROnPlateau):
    r"""Performance scheduling: multiply the rate by ``factor`` when the metric stops improving.

    After each ``step(metric)``: the metric *improves* if it beats the best value so far by the
    threshold :math:`\tau`:

    ==========  ===================================  ===================================
    mode        ``threshold_mode="rel"``              ``threshold_mode="abs"``
    ==========  ===================================  ===================================
    ``"min"``   :math:`m < \text{best}\,(1 - \tau)`   :math:`m < \text{best} - \tau`
    ``"max"``   :math:`m > \text{best}\,(1 + \tau)`   :math:`m > \text{best} + \tau`
    ==========  ===================================  ===================================

    After more than ``patience`` steps without improvement, each group's rate becomes
    :math:`\max(\eta \cdot \text{factor}, \eta_{\min})` (``min_lr``: one value, or one per group),
    the counter restarts, and the next ``cooldown`` steps are not counted. A reduction smaller
    than ``eps`` is skipped. This is PyTorch's ``ReduceLROnPlateau`` — same signature, same
    attributes, so state dicts load either way.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer whose groups' ``lr`` are reduced.
    mode : {"min", "max"}, default "min"
        Whether the metric should decrease (a loss) or increase (an accuracy).
    factor : float, default 0.1
        Factor applied to the rate at a reduction, in [0, 1).
    patience : int, default 10
        Steps without improvement tolerated before a reduction, >= 0.
    threshold : float, default 1e-4
        :math:`\tau`, the improvement needed to count, >= 0.
    threshold_mode : {"rel", "abs"}, default "rel"
        Whether :math:`\tau` is relative to the best value or absolute (see the table).
    cooldown : int, default 0
        Steps after a reduction during which bad steps are not counted, >= 0.
    min_lr : float or sequence of float, default 0.0
        Lowest rate, >= 0: one value for all groups, or one per parameter group.
    eps : float, default 1e-8
        Smallest reduction applied, >= 0.

    Raises
    ------
    TypeError
        If ``optimizer`` is not a ``torch.optim.Optimizer``.
    ValueError
        If an argument is out of range, or ``min_lr`` is a sequence of the wrong length.
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr=0.0,
        eps: float = 1e-8,
    ):
        # The parent's __init__ is not called: the whole logic is here.
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.mode = check_choice(mode, "mode", ("min", "max"))
        self.threshold_mode = check_choice(threshold_mode, "threshold_mode", ("rel", "abs"))
        self.factor = check_probability(factor, "factor", allow_one=False)
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"patience must be an int >= 0, got {patience!r}")
        if isinstance(cooldown, bool) or not isinstance(cooldown, int) or cooldown < 0:
            raise ValueError(f"cooldown must be an int >= 0, got {cooldown!r}")
        self.patience, self.cooldown = patience, cooldown
        self.threshold = check_nonnegative(threshold, "threshold")
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"min_lr must have one value per parameter group ({len(optimizer.param_groups)}), got {len(min_lr)}"
                )
            self.default_min_lr = None
            self.min_lrs = [check_nonnegative(m, "min_lr") for m in min_lr]
        else:
            self.default_min_lr = check_nonnegative(min_lr, "min_lr")
            self.min_lrs = [self.default_min_lr] * len(optimizer.param_groups)
        self.eps = check_nonnegative(eps, "eps")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [g["lr"] for g in optimizer.param_groups]

    def _improves(self, value: float) -> bool:
        sign = 1 if self.mode == "max" else -1
        if self.threshold_mode == "rel":
            return sign * value > sign * self.best * (1 + sign * self.threshold)
        return sign * value > sign * self.best + self.threshold

    def step(self, metrics, epoch=None) -> None:  # noqa: D102 - documented on the class
        """Record one value of the metric and reduce the rates if it has stopped improving.

        Parameters
        ----------
        metrics : float or torch.Tensor
            The metric's value (a finite number, or a one-element tensor).
        epoch : None
            Must be ``None``; an explicit epoch raises ``NotImplementedError``.
        """
        if epoch is not None:
            raise NotImplementedError("epoch: ReduceOnPlateau counts its own steps (torch deprecated step(epoch))")
        value = check_number(float(metrics), "metrics")
        self.last_epoch += 1
        if self._improves(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            if len(self.min_lrs) != len(self.optimizer.param_groups):
                if self.default_min_lr is None:
                    raise RuntimeError("the optimizer has a different number of parameter groups than min_lr")
                self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:  # changes smaller than eps are skipped
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]
