r"""Batch normalization as a function: the per-channel batch statistics, :func:`batch_norm`, and the
autograd Function ``_BatchNormTrain`` that gives its training-mode forward pass a closed-form backward pass.

Examples
--------
>>> import torch
>>> x = torch.tensor([[1.0, 10.0], [3.0, 30.0]])
>>> batch_norm(x, None, None, training=True).round(decimals=3)
tensor([[-1., -1.],
        [ 1.,  1.]])
"""

from __future__ import annotations

import functools
import math

import torch

from .._checks import check_positive, check_probability, check_tensor

__all__ = ["batch_statistics", "batch_norm"]


# --------------------------------------------------------------------------- batch normalization
def batch_statistics(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-channel mean and *biased* variance over every dimension except dim 1 (channels):

    .. math:: \mu_c = \frac1m\sum_{i} x_{ic}, \qquad \sigma_c^2 = \frac1m\sum_i (x_{ic} - \mu_c)^2,

    where :math:`i` runs over the :math:`m = N \cdot L` (or :math:`N\cdot H\cdot W`) values of
    channel :math:`c`. Returns ``(mean, var)``, each of shape ``(C,)``.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point input of shape ``(N, C, ...)``.

    Returns
    -------
    mean, var : torch.Tensor
        The per-channel mean and biased variance, each of shape ``(C,)``.
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

    Parameters
    ----------
    x : torch.Tensor
        Floating-point input of shape ``(N, C, ...)``; in training, more than one value per channel.
    running_mean, running_var : torch.Tensor or None
        Running statistics :math:`\hat\mu, \hat\sigma^2` of shape ``(C,)``, updated in place in training;
        ``None`` (both) to always use the batch statistics.
    weight : torch.Tensor, optional
        :math:`\gamma`, of shape ``(C,)``; ``None`` means 1.
    bias : torch.Tensor, optional
        :math:`\beta`, of shape ``(C,)``; ``None`` means 0.
    training : bool, default False
        Normalise with the batch statistics (and update the running ones) rather than the running ones.
    momentum : float, default 0.1
        :math:`\alpha`, the weight of the new batch in the running statistics, in [0, 1].
    eps : float, default 1e-5
        :math:`\epsilon`, > 0.

    Returns
    -------
    torch.Tensor
        :math:`y`, of the shape of ``x``.

    Raises
    ------
    ValueError
        If ``x`` has fewer than 2 dimensions, or a single value per channel when the batch statistics
        are used, or ``eps`` or ``momentum`` is out of range.
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
