r"""Batch normalization written from the algorithm: :func:`batch_norm` and the modules :class:`BatchNorm1d`,
:class:`BatchNorm2d` and :class:`GhostBatchNorm1d` (statistics of smaller chunks of each batch).

They are tested against ``torch.nn``'s modules; their parameters and buffers carry PyTorch's names.

Examples
--------
>>> import torch
>>> bn = BatchNorm1d(2)
>>> y = bn(torch.tensor([[1.0, 10.0], [3.0, 30.0]]))
>>> y.detach().round(decimals=3)
tensor([[-1., -1.],
        [ 1.,  1.]])
"""

from __future__ import annotations

import functools
import math

import torch
from torch import nn

from .._checks import (
    check_positive,
    check_positive_int,
    check_probability,
    check_tensor,
)

__all__ = ["batch_statistics", "batch_norm", "BatchNormBase", "BatchNorm1d", "GhostBatchNorm1d", "BatchNorm2d"]


# --------------------------------------------------------------------------- batch normalization
def batch_statistics(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-channel mean and *biased* variance over every dimension except dim 1 (channels):

    .. math:: \mu_c = \frac1m\sum_{i} x_{ic}, \qquad \sigma_c^2 = \frac1m\sum_i (x_{ic} - \mu_c)^2,

    where :math:`i` runs over the :math:`m = N \cdot L` (or :math:`N\cdot H\cdot W`) values of
    channel :math:`c`. Returns ``(mean, var)``, each of shape ``(C,)``.
    """
    x = check_tensor(x, "x", floating=True)
    var, mean = torch.var_mean(x, dim=_statistics_dims(x), correction=0)
    return mean, var


def _statistics_dims(x: torch.Tensor) -> int | list[int]:
    """Every dimension but 1 (channels); a plain ``0`` for 2-D input, which torch parses faster than a list."""
    return 0 if x.ndim == 2 else [d for d in range(x.ndim) if d != 1]


def _channel_view(t: torch.Tensor, ndim: int) -> torch.Tensor:
    """``t`` of shape ``(C,)`` as ``(1, C, 1, ...)``, to broadcast against an ``ndim``-D input."""
    if ndim == 2:  # (C,) already broadcasts against (N, C); skipping the reshape saves a call into torch
        return t
    return t.reshape((1, -1) + (1,) * (ndim - 2))


def _once_differentiable(backward):
    """``torch.autograd.function.once_differentiable`` without its cost in the usual case.

    A plain ``backward()`` already runs with gradients off; only under ``create_graph=True``
    does the closed form need torch's wrapper, which makes a second differentiation raise
    instead of silently returning a wrong answer. (The wrapper enters ``torch.no_grad()`` on
    every call: about 5 microseconds per training step at 32x32, close to a tenth of PyTorch's
    whole batch norm step.)
    """
    guarded = torch.autograd.function.once_differentiable(backward)

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        return guarded(ctx, *grads) if torch.is_grad_enabled() else backward(ctx, *grads)

    return wrapper


class _BatchNormTrain(torch.autograd.Function):
    r"""Training-mode batch norm with the analytic backward pass.

    Forward: :math:`\hat x = (x - \mu)\,/\sqrt{\sigma^2 + \epsilon}`, :math:`y = \gamma\hat x + \beta`,
    and, given running buffers, their in-place update of :func:`batch_norm` (the buffers carry
    no gradient). Backward (per channel, sums over the channel's :math:`m` values), with
    :math:`g = \partial \ell/\partial y`:

    .. math::

        \frac{\partial \ell}{\partial \beta} = \sum g, \qquad
        \frac{\partial \ell}{\partial \gamma} = \sum g\,\hat x, \qquad
        \frac{\partial \ell}{\partial x} = \frac{\gamma}{\sqrt{\sigma^2+\epsilon}}
        \Big(g - \frac1m\sum g - \hat x\,\frac1m\sum g\,\hat x\Big).

    The last two terms are the gradient that flows through :math:`\mu` and :math:`\sigma^2`:
    they remove from :math:`g` its mean and its component along :math:`\hat x`.

    Written for speed at every size. At :math:`10^3` elements the time goes to calls, not
    arithmetic: hence one ``autograd.Function`` (two calls into Python instead of autograd
    through a dozen small operations) with a single output (the running statistics are updated
    here, not returned: each extra output costs autograd time), sums rather than means, and
    scalars passed as ``alpha=`` rather than as operands (``x.mean()`` and ``var + eps`` each
    turn a Python number into a tensor, converted to ``x``'s dtype, on every call). At
    :math:`10^7` elements the time goes to memory: hence reused buffers (allocating a fresh
    tensor costs more than the arithmetic on it), and a two-pass variance (mean, then squared
    deviations) because ``torch.var_mean``'s single-pass reduction over the batch dimension is
    up to ten times slower on the CPU.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, momentum, eps):
        dims, ndim = _statistics_dims(x), x.ndim
        m = x.numel() // x.shape[1]
        sum_x = x.sum(dims)  # m mu
        xhat = torch.sub(x, _channel_view(sum_x, ndim), alpha=1 / m)  # x - mu
        out = torch.mul(xhat, xhat)  # the output's memory, used first for the squared deviations
        sum_sq = out.sum(dims)  # m var
        invstd = torch.full_like(sum_sq, eps).add_(sum_sq, alpha=1 / m).rsqrt_()  # 1 / sqrt(var + eps)
        xhat.mul_(_channel_view(invstd, ndim))  # (x - mu) / sqrt(var + eps), in place
        gamma = torch.ones_like(invstd) if weight is None else weight
        beta = torch.zeros_like(invstd) if bias is None else bias
        torch.addcmul(_channel_view(beta, ndim), xhat, _channel_view(gamma, ndim), out=out)  # gamma xhat + beta
        if running_mean is not None:  # r <- (1 - momentum) r + momentum statistic, as r - momentum r + ...
            running_mean.sub_(running_mean, alpha=momentum).add_(sum_x, alpha=momentum / m)
            running_var.sub_(running_var, alpha=momentum).add_(sum_sq, alpha=momentum / (m - 1))  # unbiased var
        scale = invstd if weight is None else weight * invstd  # gamma / sqrt(var + eps), for the backward pass
        ctx.save_for_backward(xhat, scale)
        ctx.dims, ctx.m = dims, m
        return out

    @staticmethod
    @_once_differentiable
    def backward(ctx, grad_out):
        xhat, scale = ctx.saved_tensors
        dims, m, ndim = ctx.dims, ctx.m, xhat.ndim
        sum_g = grad_out.sum(dims)
        scratch = torch.mul(grad_out, xhat)
        sum_g_xhat = scratch.sum(dims)
        grad_x = None
        if ctx.needs_input_grad[0]:
            # scale * (g - (sum g + xhat * sum g xhat) / m), written into the scratch buffer
            torch.addcmul(_channel_view(sum_g, ndim), xhat, _channel_view(sum_g_xhat, ndim), out=scratch)
            grad_x = torch.sub(grad_out, scratch, alpha=1 / m, out=scratch).mul_(_channel_view(scale, ndim))
        needs_weight, needs_bias = ctx.needs_input_grad[1:3]
        return grad_x, sum_g_xhat if needs_weight else None, sum_g if needs_bias else None, None, None, None, None


def batch_norm(
    x: torch.Tensor,
    running_mean: torch.Tensor | None,
    running_var: torch.Tensor | None,
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    *,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> torch.Tensor:
    r"""Batch normalization of ``x`` (shape ``(N, C, ...)``), one set of statistics per channel.

    **Training** (or no running statistics): normalise with the mini-batch statistics of
    :func:`batch_statistics`, using the *biased* variance,

    .. math:: \hat x = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta,

    and, if running buffers are given, update them in place with the *unbiased* variance
    (:math:`m` values per channel):

    .. math::

        \hat\mu \leftarrow (1 - \alpha)\,\hat\mu + \alpha\,\mu_B, \qquad
        \hat\sigma^2 \leftarrow (1 - \alpha)\,\hat\sigma^2 + \alpha\,\tfrac{m}{m-1}\sigma_B^2 ,

    with :math:`\alpha` = ``momentum`` (PyTorch's convention: the weight of the *new* batch).

    **Evaluation**: normalise with the running statistics instead, :math:`\hat x =
    (x - \hat\mu)/\sqrt{\hat\sigma^2 + \epsilon}` — a fixed affine map :math:`y = s\,x + t` with
    :math:`s = \gamma/\sqrt{\hat\sigma^2 + \epsilon}` and :math:`t = \beta - s\,\hat\mu`, computed
    in one pass over ``x``; a prediction does not depend on the other examples in the batch.

    ``weight`` (:math:`\gamma`) and ``bias`` (:math:`\beta`) are optional: ``None`` means
    :math:`\gamma = 1` or :math:`\beta = 0` (as in ``torch.nn.functional.batch_norm``).
    """
    x = check_tensor(x, "x", floating=True)
    if x.ndim < 2:
        raise ValueError(f"x must have a channel dimension: shape (N, C, ...), got shape {tuple(x.shape)}")
    if not (type(eps) is float and 0 < eps < math.inf):  # (the usual float skips the slower general check)
        eps = check_positive(eps, "eps")
    if training or running_mean is None:  # (so running buffers, if given, are to be updated)
        m = x.numel() // x.shape[1]
        if m <= 1:
            raise ValueError(
                f"x: expected more than 1 value per channel when training, got input of shape "
                f"{tuple(x.shape)} (a batch of one example has zero batch variance)"
            )
        if running_mean is not None and not (type(momentum) is float and 0 <= momentum <= 1):
            momentum = check_probability(momentum, "momentum")
        return _BatchNormTrain.apply(x, weight, bias, running_mean, running_var, momentum, eps)
    scale = torch.rsqrt(running_var + eps)
    if weight is not None:
        scale = weight * scale
    shift = -running_mean * scale if bias is None else torch.addcmul(bias, running_mean, scale, value=-1)
    return torch.addcmul(_channel_view(shift, x.ndim), x, _channel_view(scale, x.ndim))


class BatchNormBase(nn.Module):
    r"""Shared base of :class:`BatchNorm1d` and :class:`BatchNorm2d` (the algorithm is in
    :func:`batch_norm`). Parameters and buffers have PyTorch's names — ``weight``, ``bias``,
    ``running_mean``, ``running_var``, ``num_batches_tracked`` — so state dicts are interchangeable.

    ``momentum=None`` replaces the exponential moving average by the cumulative average of
    all batches seen so far, :math:`\alpha = 1/t` at the :math:`t`-th training batch.
    ``track_running_stats=False`` keeps no running statistics: batch statistics are used in
    evaluation too. ``bias=False`` (with ``affine=True``) learns :math:`\gamma` only, as
    ``nn.BatchNorm1d(..., bias=False)``: the usual choice right before a layer that adds its own shift.
    """

    _shapes: tuple[int, ...] = ()
    _shape_text = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ):
        super().__init__()
        self.num_features = check_positive_int(num_features, "num_features")
        self.eps = check_positive(eps, "eps")
        self.momentum = None if momentum is None else check_probability(momentum, "momentum")
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        factory = {"device": device, "dtype": dtype}
        self.register_parameter("weight", nn.Parameter(torch.ones(num_features, **factory)) if self.affine else None)
        self.register_parameter(
            "bias", nn.Parameter(torch.zeros(num_features, **factory)) if self.affine and bias else None
        )
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory))
            self.register_buffer("running_var", torch.ones(num_features, **factory))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def _check_input(self, x) -> torch.Tensor:
        x = check_tensor(x, "input", floating=True)
        if x.ndim not in self._shapes:
            raise ValueError(f"input must be {self._shape_text}, got {x.ndim}-D input of shape {tuple(x.shape)}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"input has {x.shape[1]} channels (dim 1) but num_features={self.num_features}")
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self._check_input(x)
        # Parameters and buffers live in nn.Module's dicts; ``self.weight`` finds them only after
        # a failed ordinary lookup has built an AttributeError: about a microsecond each, per call.
        params, buffers = self._parameters, self._buffers
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            buffers["num_batches_tracked"].add_(1)
            factor = 1.0 / float(buffers["num_batches_tracked"]) if self.momentum is None else self.momentum
        return batch_norm(
            x,
            buffers["running_mean"],
            buffers["running_var"],
            params["weight"],
            params["bias"],
            training=self.training,
            momentum=factor,
            eps=self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
            + ("" if self.bias is not None or not self.affine else ", bias=False")
        )


class BatchNorm1d(BatchNormBase):
    r"""Batch normalization for ``(N, C)`` or ``(N, C, L)`` inputs (Ioffe & Szegedy, 2015).

    Algorithm (per feature :math:`c`; details and the running-statistics update in
    :func:`batch_norm`, the backward pass in the source of ``_BatchNormTrain``):

    1. training: :math:`\mu_B, \sigma_B^2` = mean and biased variance over the batch (and length);
    2. :math:`\hat x = (x - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}`, :math:`y = \gamma\hat x + \beta`
       with learnable :math:`\gamma` (init 1) and :math:`\beta` (init 0);
    3. running mean and *unbiased* running variance updated with ``momentum``;
    4. evaluation: the running statistics replace :math:`\mu_B, \sigma_B^2`.

    Examples
    --------
    >>> bn = BatchNorm1d(2)
    >>> y = bn(torch.tensor([[1.0, 10.0], [3.0, 30.0]]))
    >>> y
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<_BatchNormTrainBackward>)
    >>> bn.running_mean, bn.running_var
    (tensor([0.2000, 2.0000]), tensor([ 1.1000, 20.9000]))
    """

    _shapes = (2, 3)
    _shape_text = "2-D (N, C) or 3-D (N, C, L)"


class GhostBatchNorm1d(BatchNorm1d):
    r"""Batch norm whose training statistics come from *ghost batches* of ``ghost_size`` examples
    (Hoffer et al., 2017): the mini-batch is cut into consecutive chunks of ``ghost_size`` rows
    (the last may be smaller, but needs two rows or more), and each chunk is normalised with its own :math:`\mu_B, \sigma_B^2`
    exactly as :class:`BatchNorm1d` does. The optimizer still sees the whole mini-batch.

    The batch mean of :math:`m` examples varies around the true mean by about
    :math:`\sigma/\sqrt m`, so a small ``ghost_size`` makes the normalisation noisier without changing
    the gradient's batch size: it isolates the noise of batch statistics. Running statistics are
    updated once per chunk; evaluation is that of :class:`BatchNorm1d`. A ``ghost_size`` at least
    the batch size gives :class:`BatchNorm1d` itself.

    Examples
    --------
    >>> ghost = GhostBatchNorm1d(1, ghost_size=2)
    >>> ghost(torch.tensor([[1.0], [3.0], [10.0], [30.0]])).detach().reshape(-1)
    tensor([-1.0000,  1.0000, -1.0000,  1.0000])
    """

    def __init__(self, num_features: int, ghost_size: int = 8, **kwargs):
        super().__init__(num_features, **kwargs)
        self.ghost_size = check_positive_int(ghost_size, "ghost_size")
        if self.ghost_size < 2:
            raise ValueError(f"ghost_size must be >= 2 (one example has no batch variance), got {ghost_size}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self._check_input(x)
        n, g = len(x), self.ghost_size
        if not self.training or n <= g:
            return super().forward(x)
        if x.ndim != 2 or n % g:  # uneven chunks: one batch-norm call per chunk
            return torch.cat([super(GhostBatchNorm1d, self).forward(chunk) for chunk in x.split(g)])
        # all chunks at once: (n/g, g, C), statistics over dim 1 (plain means: torch.var_mean is
        # many times slower on this layout at these sizes)
        k, c = n // g, x.shape[1]
        groups = x.reshape(k, g, c)
        centred = groups - groups.mean(1, keepdim=True)
        var = (centred * centred).mean(1, keepdim=True)
        y = (centred * torch.rsqrt(var + self.eps)).reshape(n, c)
        if self.weight is not None:
            y = torch.addcmul(self.bias, y, self.weight) if self.bias is not None else y * self.weight
        if self.track_running_stats:
            with torch.no_grad():
                self._update_running(groups.mean(1), var.reshape(k, c) * (g / (g - 1)))
        return y

    def _update_running(self, means: torch.Tensor, variances: torch.Tensor) -> None:
        """The running statistics after one update per chunk (``means``, ``variances``: one row per chunk),
        in closed form: ``momentum`` :math:`\alpha` weighs the :math:`i`-th of :math:`k` chunks by
        :math:`\alpha(1-\alpha)^{k-1-i}`; ``momentum=None`` averages over every chunk seen."""
        k, seen = len(means), int(self.num_batches_tracked)
        if self.momentum is None:
            for running, new in ((self.running_mean, means), (self.running_var, variances)):
                running.mul_(seen).add_(new.sum(0)).div_(seen + k)
        else:
            a = self.momentum
            weights = a * (1 - a) ** torch.arange(k - 1, -1, -1, dtype=means.dtype, device=means.device)
            for running, new in ((self.running_mean, means), (self.running_var, variances)):
                running.mul_((1 - a) ** k).add_(weights @ new)
        self.num_batches_tracked.add_(k)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", ghost_size={self.ghost_size}"


class BatchNorm2d(BatchNormBase):
    r"""Batch normalization for images ``(N, C, H, W)``: one :math:`(\mu, \sigma^2, \gamma, \beta)`
    per channel, statistics over the :math:`N \cdot H \cdot W` values of that channel — the
    same algorithm as :class:`BatchNorm1d` (see :func:`batch_norm`)."""

    _shapes = (4,)
    _shape_text = "4-D (N, C, H, W)"
