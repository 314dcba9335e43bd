r"""Regularization: weight penalties, dropout, early stopping, label smoothing, noise, weight averaging, pruning.

Conventions, stated once because the sources disagree:

- **Penalty strength** :math:`\alpha` is any non-negative number (not bounded to [0, 1]); its useful
  range depends on the scale of the loss. The L2 penalty is :math:`\frac{\alpha}{2}\sum w^2`, so that its
  gradient :math:`\alpha w` is exactly what ``torch.optim.SGD(weight_decay=alpha)`` adds.
- **Dropout** ``p`` is the probability of *dropping* a unit (PyTorch's convention); the keep probability
  is :math:`1 - p`. On average a fraction :math:`p` of the units is zeroed.

Examples
--------
>>> import torch
>>> from torch import nn
>>> from dlcourse import regularization as R
>>> layer = nn.Linear(2, 1)
>>> with torch.no_grad():
...     _ = layer.weight.copy_(torch.tensor([[3.0, -4.0]]))
>>> R.l1_penalty(layer, alpha=0.1)          # 0.1 * (3 + 4); the bias is excluded
tensor(0.7000, grad_fn=<MulBackward0>)
>>> R.l2_penalty(layer, alpha=0.1)          # 0.1 / 2 * (9 + 16)
tensor(1.2500, grad_fn=<MulBackward0>)
>>> drop = R.Dropout(0.5).eval()
>>> drop(torch.ones(3))                     # identity in evaluation mode
tensor([1., 1., 1.])
"""

from __future__ import annotations

import copy
import functools
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import (
    check_choice,
    check_nonnegative,
    check_positive_int,
    check_probability,
    check_tensor,
)

#: Module types whose parameters are *not* penalised by default (they scale or shift, they do not weigh).
#: :meta hide-value:
NORM_TYPES: tuple[type, ...] = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm)


# --------------------------------------------------------------------------- which parameters
def weight_parameters(model, *, include_bias: bool = False, include_norm: bool = False) -> dict[str, torch.Tensor]:
    """The parameters a penalty (or pruning) acts on, by qualified name.

    ``model`` is an ``nn.Module``, or an iterable of tensors (then all of them are used). By default
    biases and the parameters of normalization layers (``NORM_TYPES``) are left out: they shift or
    rescale activations and do not make a model more complex.
    """
    if isinstance(model, torch.Tensor):
        return {"tensor": model}
    if not isinstance(model, nn.Module):
        try:
            tensors = list(model)
        except TypeError:
            raise TypeError(f"model must be an nn.Module or an iterable of tensors, got {type(model).__name__}") from None
        return {f"tensor{i}": check_tensor(t, f"model[{i}]") for i, t in enumerate(tensors)}
    selected = {}
    for module_name, module in model.named_modules():
        if isinstance(module, NORM_TYPES) and not include_norm:
            continue
        for name, param in module.named_parameters(recurse=False):
            if name == "bias" and not include_bias:
                continue
            selected[f"{module_name}.{name}" if module_name else name] = param
    return selected


# --------------------------------------------------------------------------- penalties
def l1_penalty(model, alpha: float = 1.0, **select) -> torch.Tensor:
    r"""L1 penalty :math:`\alpha \sum_i |w_i|` over :func:`weight_parameters` (``select``: its keywords).

    Its (sub)gradient :math:`\alpha\,\operatorname{sign}(w)` has the same size for every weight,
    however small, which is why L1 pushes weights all the way to zero (sparsity). A (sub)gradient
    step does not stop there: near zero it overshoots by about :math:`\eta\alpha` and the weight
    zig-zags around 0. Exact zeros come from the proximal step :func:`soft_threshold`
    (:func:`l1_proximal_step`) or from pruning.
    """
    alpha = check_nonnegative(alpha, "alpha")
    params = weight_parameters(model, **select).values()
    return alpha * sum((p.abs().sum() for p in params), torch.tensor(0.0))


def l2_penalty(model, alpha: float = 1.0, **select) -> torch.Tensor:
    r"""L2 penalty :math:`\frac{\alpha}{2} \sum_i w_i^2` over :func:`weight_parameters`.

    Its gradient :math:`\alpha w` shrinks every weight in proportion to its size; added to the
    loss and minimised with plain SGD it is *identical* to ``SGD(weight_decay=alpha)``.
    """
    alpha = check_nonnegative(alpha, "alpha")
    params = weight_parameters(model, **select).values()
    return 0.5 * alpha * sum((p.pow(2).sum() for p in params), torch.tensor(0.0))


def elastic_net_penalty(model, alpha: float = 1.0, l1_ratio: float = 0.5, **select) -> torch.Tensor:
    r"""Elastic net (scikit-learn's convention):
    :math:`\alpha\left(\rho \sum_i |w_i| + \frac{1-\rho}{2} \sum_i w_i^2\right)` with :math:`\rho` = ``l1_ratio``
    in [0, 1] (1: pure L1, 0: pure L2)."""
    alpha = check_nonnegative(alpha, "alpha")
    rho = check_probability(l1_ratio, "l1_ratio")
    return l1_penalty(model, alpha * rho, **select) + l2_penalty(model, alpha * (1.0 - rho), **select)


def l1_penalty_grad(weight: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    r"""Gradient of :math:`\alpha\sum|w|`: :math:`\alpha\,\operatorname{sign}(w)` (0 at :math:`w = 0`, as autograd)."""
    return check_nonnegative(alpha, "alpha") * torch.sign(check_tensor(weight, "weight", floating=True))


def l2_penalty_grad(weight: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    r"""Gradient of :math:`\frac{\alpha}{2}\sum w^2`: :math:`\alpha w`."""
    return check_nonnegative(alpha, "alpha") * check_tensor(weight, "weight", floating=True)


def soft_threshold(w: torch.Tensor, threshold: float) -> torch.Tensor:
    r"""Soft-thresholding, the proximal operator of :math:`\tau\|w\|_1`:
    :math:`S_\tau(w) = \operatorname{sign}(w)\,\max(|w| - \tau,\ 0)`, with :math:`\tau` = ``threshold`` :math:`\ge 0`.

    :math:`S_\tau(w) = \arg\min_v \tfrac12\|v - w\|^2 + \tau\|v\|_1`: every entry with :math:`|w_i| \le \tau`
    becomes *exactly* 0 and the others move :math:`\tau` towards 0. A gradient step on the data loss
    followed by :math:`S_{\eta\alpha}` (learning rate :math:`\eta`, L1 strength :math:`\alpha`) is the proximal
    gradient step (ISTA) on :math:`L(w) + \alpha\|w\|_1`. Equals ``torch.nn.functional.softshrink(w, τ)``.

    Examples
    --------
    >>> soft_threshold(torch.tensor([-1.5, -0.2, 0.0, 0.3, 2.0]), 0.5)
    tensor([-1.0000,  0.0000,  0.0000,  0.0000,  1.5000])
    """
    w = check_tensor(w, "w", floating=True)
    threshold = check_nonnegative(threshold, "threshold")
    return w - w.clamp(-threshold, threshold)  # = sign(w) max(|w| - τ, 0), with +0.0 (not -0.0) inside the band


@torch.no_grad()
def l1_proximal_step(model, threshold: float, **select) -> None:
    r"""Apply :func:`soft_threshold` in place to the weights chosen by :func:`weight_parameters`.

    Called after each optimizer step on the *unpenalised* loss with ``threshold`` :math:`= \eta\alpha`, it
    turns plain SGD into proximal gradient descent on :math:`L + \alpha\sum|w|`; called once on a
    trained network, it zeroes every weight with :math:`|w| \le \tau` (and shrinks the others by :math:`\tau`).
    """
    threshold = check_nonnegative(threshold, "threshold")
    for p in weight_parameters(model, **select).values():
        p.copy_(soft_threshold(p, threshold))


def l1_least_squares(X: torch.Tensor, y: torch.Tensor, alpha: float, *, lr: float, steps: int = 500,
                     proximal: bool = True) -> torch.Tensor:
    r"""Minimise the lasso objective :math:`f(w) + \alpha\|w\|_1`, :math:`f(w) = \frac{1}{2n}\|Xw - y\|^2`, from
    :math:`w_0 = 0` with ``steps`` steps of size :math:`\eta` = ``lr``; return the whole trajectory, shape
    ``(steps + 1, d)``.

    - ``proximal=False``, (sub)gradient descent: :math:`w \leftarrow w - \eta\,(\nabla f(w) + \alpha\operatorname{sign}(w))`.
      A weight whose optimum is 0 cannot settle there: each step overshoots zero by up to
      :math:`\eta(\alpha + |\nabla_i f|)`, so it zig-zags around 0 and is almost never exactly 0.
    - ``proximal=True``, ISTA: :math:`w \leftarrow S_{\eta\alpha}(w - \eta\nabla f(w))` (:func:`soft_threshold`):
      such a weight lands on 0 exactly and stays there.

    :math:`\nabla f(w) = X^\top(Xw - y)/n`. With :math:`\eta \le 1/\lambda_{\max}(X^\top X/n)` ISTA converges to
    the solution of scikit-learn's ``Lasso(alpha, fit_intercept=False)``. Computed in ``X``'s dtype.
    """
    X = check_tensor(X, "X", floating=True)
    y = check_tensor(y, "y", floating=True)
    if X.dim() != 2 or y.shape != X.shape[:1]:
        raise ValueError(f"X must be (n, d) and y (n,), got shapes {tuple(X.shape)} and {tuple(y.shape)}")
    alpha = check_nonnegative(alpha, "alpha")
    lr = check_nonnegative(lr, "lr")
    steps = check_positive_int(steps, "steps")
    y = y.to(X.dtype)
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device)
    path = [w]
    for _ in range(steps):
        grad = X.T @ (X @ w - y) / len(X)
        w = soft_threshold(w - lr * grad, lr * alpha) if proximal else w - lr * (grad + alpha * torch.sign(w))
        path.append(w)
    return torch.stack(path)


def regularized_loss(model: nn.Module, loss_fn: Callable = F.cross_entropy, *, l1: float = 0.0,
                     l2: float = 0.0, **select) -> Callable:
    r"""A loss for :func:`dlcourse.training.fit`: :math:`\text{loss\_fn}(\hat y, y) + \text{L1}_{l1} + \text{L2}_{l2}`.

    The penalties are recomputed from ``model``'s current weights at every call. Note that
    :func:`~dlcourse.training.evaluate` then reports the penalised loss too; the metric is unaffected.
    """
    l1 = check_nonnegative(l1, "l1")
    l2 = check_nonnegative(l2, "l2")

    def loss(output, target):
        value = loss_fn(output, target)
        if l1:
            value = value + l1_penalty(model, l1, **select).to(value.device)
        if l2:
            value = value + l2_penalty(model, l2, **select).to(value.device)
        return value

    return loss


# --------------------------------------------------------------------------- dropout
def _check_p(p) -> float:
    return check_probability(p, "p", allow_one=False)


def dropout_mask(shape, p: float, *, generator: torch.Generator | None = None, device=None) -> torch.Tensor:
    r"""A boolean *keep* mask: each entry is ``True`` independently with probability :math:`1 - p`."""
    p = _check_p(p)
    return torch.rand(shape, generator=generator, device=device) >= p


def dropout(x: torch.Tensor, p: float = 0.5, *, training: bool = True, inverted: bool = True,
            generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Dropout with **drop** probability :math:`p` (keep probability :math:`q = 1 - p`), mask :math:`m_i \sim \text{Bernoulli}(q)`.

    - inverted (PyTorch's, the default): training :math:`y = \dfrac{m \odot x}{1 - p}`; evaluation :math:`y = x`.
    - non-inverted (the original paper's): training :math:`y = m \odot x`; evaluation :math:`y = (1 - p)\,x`.

    Both give the same expectation at training and at evaluation time: :math:`\mathbb E[y] = x` (inverted)
    or :math:`(1-p)\,x` (non-inverted). ``generator`` makes the mask reproducible.
    """
    x = check_tensor(x, "x", floating=True)
    p = _check_p(p)
    if not training:
        return x if inverted else x * (1.0 - p)
    if p == 0.0:
        return x
    mask = dropout_mask(x.shape, p, generator=generator).to(x.device)
    return x * mask / (1.0 - p) if inverted else x * mask


class Dropout(nn.Module):
    r"""Inverted dropout (drop probability ``p``; scaled by :math:`1/(1-p)` while training, identity in ``eval()``).

    See :func:`dropout`. ``p`` must lie in [0, 1): ``p = 1`` would drop everything and divide by zero.
    """

    inverted = True

    def __init__(self, p: float = 0.5, generator: torch.Generator | None = None):
        super().__init__()
        self.p = _check_p(p)
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return dropout(x, self.p, training=self.training, inverted=self.inverted, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class TestTimeScaledDropout(Dropout):
    r"""Non-inverted dropout: :math:`m \odot x` while training, :math:`(1-p)\,x` in ``eval()`` (scale by the keep probability)."""

    __test__ = False  # not a pytest test class, despite the name
    inverted = False


# --------------------------------------------------------------------------- noise
class GaussianNoise(nn.Module):
    r"""Additive input/activation noise while training: :math:`y = x + \sigma\,\varepsilon`,
    :math:`\varepsilon \sim \mathcal N(0, I)`; identity in ``eval()``."""

    def __init__(self, std: float = 0.1, generator: torch.Generator | None = None):
        super().__init__()
        self.std = check_nonnegative(std, "std")
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_tensor(x, "x", floating=True)
        if not self.training or self.std == 0.0:
            return x
        noise = torch.randn(x.shape, generator=self.generator, dtype=x.dtype).to(x.device)
        return x + self.std * noise

    def extra_repr(self) -> str:
        return f"std={self.std}"


# --------------------------------------------------------------------------- label smoothing
def smooth_labels(target: torch.Tensor, num_classes: int, smoothing: float = 0.1) -> torch.Tensor:
    r"""Smoothed one-hot targets :math:`q_k = (1 - \varepsilon)\,[k = y] + \varepsilon / K`."""
    target = check_tensor(target, "target")
    num_classes = check_positive_int(num_classes, "num_classes")
    eps = check_probability(smoothing, "smoothing")
    return (1.0 - eps) * F.one_hot(target.long(), num_classes).float() + eps / num_classes


def label_smoothing_cross_entropy(logits: torch.Tensor, target: torch.Tensor, smoothing: float = 0.1,
                                  reduction: str = "mean") -> torch.Tensor:
    r"""Cross-entropy against smoothed targets: :math:`\ell = -\sum_k q_k \log \operatorname{softmax}(z)_k`,
    :math:`q` from :func:`smooth_labels`. Equals ``F.cross_entropy(logits, target, label_smoothing=smoothing)``.

    Equivalently :math:`(1-\varepsilon)\,\text{CE}(z, y) + \varepsilon \cdot \frac{1}{K}\sum_k -\log s_k`: the
    second term punishes a near-zero probability on any class, so logits stop growing without bound.
    """
    logits = check_tensor(logits, "logits", floating=True)
    check_choice(reduction, "reduction", ("mean", "sum", "none"))
    q = smooth_labels(target, logits.shape[-1], smoothing).to(logits)
    loss = -(q * torch.log_softmax(logits, dim=-1)).sum(dim=-1)
    return {"mean": loss.mean, "sum": loss.sum, "none": lambda: loss}[reduction]()


def label_smoothing_loss(smoothing: float = 0.1) -> Callable:
    """``loss_fn`` for :func:`dlcourse.training.fit`: :func:`label_smoothing_cross_entropy` with fixed ``smoothing``."""
    check_probability(smoothing, "smoothing")
    return functools.partial(label_smoothing_cross_entropy, smoothing=smoothing)


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
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, mode: str = "min",
                 monitor: str = "val_loss", restore_best: bool = True):
        self.patience = check_positive_int(patience, "patience")
        self.min_delta = check_nonnegative(min_delta, "min_delta")
        self.mode = check_choice(mode, "mode", ("min", "max"))
        self.monitor = check_choice(monitor, "monitor", _MONITORS)
        self.restore_best = bool(restore_best)
        self.reset()

    def reset(self) -> None:
        """Forget everything (to reuse the object for a new run)."""
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_weights: dict[str, torch.Tensor] | None = None

    @property
    def state(self) -> dict:
        """``best``, ``best_epoch``, ``wait`` (epochs since the best) and ``stopped_epoch`` (``None`` if not stopped)."""
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch}

    def improved(self, value: float) -> bool:
        """Whether ``value`` beats the best so far by more than ``min_delta``."""
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
        """Load the best weights seen so far into ``model``."""
        if self.best_weights is None:
            raise RuntimeError("no weights recorded yet: restore() needs at least one epoch")
        model.load_state_dict(self.best_weights)

    def __repr__(self) -> str:
        return (f"EarlyStopping(monitor={self.monitor!r}, mode={self.mode!r}, patience={self.patience}, "
                f"min_delta={self.min_delta}, state={self._rounded_state()})")

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
        """Fold ``model``'s current parameters into the average."""
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


# --------------------------------------------------------------------------- pruning
def magnitude_masks(model, amount: float, *, scope: str = "global", **select) -> dict[str, torch.Tensor]:
    r"""Masks (1 keep, 0 prune) that remove the fraction ``amount`` of smallest-magnitude weights.

    ``scope="layer"``: in each tensor, the :math:`k = \operatorname{round}(\text{amount}\cdot n)` entries of smallest
    :math:`|w|` (as ``torch.nn.utils.prune.l1_unstructured``). ``scope="global"``: the smallest
    :math:`\operatorname{round}(\text{amount}\cdot N)` over all selected tensors together (as
    ``global_unstructured`` with ``L1Unstructured``), so layers lose different shares.
    """
    amount = check_probability(amount, "amount")
    check_choice(scope, "scope", ("global", "layer"))
    params = weight_parameters(model, **select)
    if not params:
        raise ValueError("model has no parameters to prune")

    def mask_for(flat: torch.Tensor) -> torch.Tensor:
        mask = torch.ones_like(flat)
        k = round(amount * flat.numel())
        if k:
            mask[torch.topk(flat.abs(), k=k, largest=False).indices] = 0
        return mask

    if scope == "layer":
        return {name: mask_for(p.detach().reshape(-1)).reshape(p.shape) for name, p in params.items()}
    flat = mask_for(torch.cat([p.detach().reshape(-1) for p in params.values()]))
    masks, start = {}, 0
    for name, p in params.items():
        masks[name] = flat[start:start + p.numel()].reshape(p.shape)
        start += p.numel()
    return masks


@torch.no_grad()
def prune_by_magnitude(model, amount: float, *, scope: str = "global", **select) -> dict[str, torch.Tensor]:
    """Zero the weights chosen by :func:`magnitude_masks` in place and return the masks.

    The pruning is a one-off: further training can make the zeros non-zero again, unless the
    masks are re-applied after each step (:func:`apply_masks`).
    """
    masks = magnitude_masks(model, amount, scope=scope, **select)
    apply_masks(model, masks, **select)
    return masks


@torch.no_grad()
def apply_masks(model, masks: dict[str, torch.Tensor], **select) -> None:
    """Multiply each selected parameter by its mask, in place."""
    for name, p in weight_parameters(model, **select).items():
        if name in masks:
            p.mul_(masks[name].to(p))


def sparsity(model, **select) -> float:
    """Share of the selected weights that are exactly zero."""
    params = list(weight_parameters(model, **select).values())
    total = sum(p.numel() for p in params)
    return sum(int((p == 0).sum()) for p in params) / max(total, 1)


# --------------------------------------------------------------------------- an experiment to regularize
def moons_experiment(*, l2: float = 0.0, dropout: float = 0.0, smoothing: float = 0.0, patience: int | None = None,
                     epochs: int = 200, n_train: int = 100, seed: int = 0, components: dict | None = None) -> dict:
    r"""Train a model that overfits, with the regularizers asked for; used by the chapter's explorer and Lab 05.

    Data: ``n_train`` points of the two moons (noise 0.35) for training, 300 for validation (the
    data and the initialization both follow ``seed``). Model: ``Linear(2, 128) → ReLU → [Dropout] →
    Linear(128, 128) → ReLU → [Dropout] → Linear(128, 2)``, trained full-batch with Adam (lr 0.01) for
    ``epochs`` steps on :math:`\text{CE}_\varepsilon + \frac{\alpha}{2}\sum w^2` (label smoothing
    ``smoothing`` = ε, L2 strength ``l2`` = α), with early stopping on the validation loss if
    ``patience`` is given. ``components`` replaces the library's pieces by others with the same
    signatures (keys ``"l2_penalty"``, ``"Dropout"``, ``"EarlyStopping"``,
    ``"label_smoothing_cross_entropy"``): Lab 05 passes the student's.

    Returns a dict: ``model``, ``splits``, ``history``, ``train_acc``, ``val_acc`` and ``gap``
    (train − validation accuracy, both in evaluation mode).
    """
    from .data import make_moons
    from .runtime import seed_everything
    from .training import evaluate, fit

    parts = {"l2_penalty": l2_penalty, "Dropout": Dropout, "EarlyStopping": EarlyStopping,
             "label_smoothing_cross_entropy": label_smoothing_cross_entropy}
    unknown = set(components or {}) - set(parts)
    if unknown:
        raise ValueError(f"components has unknown key(s) {sorted(unknown)}; expected some of {sorted(parts)}")
    parts.update(components or {})
    n_train = check_positive_int(n_train, "n_train")
    splits = make_moons(2000, noise=0.35, seed=seed).subset_train(n_train, seed=seed)
    seed_everything(seed)
    drop = (lambda: [parts["Dropout"](dropout)]) if dropout > 0 else (lambda: [])
    model = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), *drop(), nn.Linear(128, 128), nn.ReLU(), *drop(),
                          nn.Linear(128, 2))

    def loss_fn(output, target):
        return parts["label_smoothing_cross_entropy"](output, target, smoothing) + parts["l2_penalty"](model, l2)

    callbacks = [parts["EarlyStopping"](patience=patience)] if patience else []
    history = fit(model, splits.train, splits.val, epochs=epochs, lr=0.01, batch_size=n_train, loss_fn=loss_fn,
                  callbacks=callbacks, progress=False, device="cpu", seed=seed)
    train_acc, val_acc = evaluate(model, splits.train)[1], evaluate(model, splits.val)[1]
    return {"model": model, "splits": splits, "history": history, "train_acc": train_acc, "val_acc": val_acc,
            "gap": train_acc - val_acc}


__all__ = [
    "NORM_TYPES", "weight_parameters", "l1_penalty", "l2_penalty", "elastic_net_penalty", "l1_penalty_grad",
    "l2_penalty_grad", "soft_threshold", "l1_proximal_step", "l1_least_squares", "regularized_loss", "dropout_mask", "dropout", "Dropout", "TestTimeScaledDropout",
    "GaussianNoise", "smooth_labels", "label_smoothing_cross_entropy", "label_smoothing_loss", "EarlyStopping",
    "WeightAverage", "magnitude_masks", "prune_by_magnitude", "apply_masks", "sparsity", "moons_experiment",
]
