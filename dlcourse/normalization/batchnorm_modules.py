r"""Batch normalization layers written from the algorithm: :class:`BatchNorm1d`, :class:`BatchNorm2d` and
:class:`GhostBatchNorm1d` (statistics of smaller chunks of each batch), on their shared :class:`BatchNormBase`.

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

import torch
from torch import nn

from .._checks import check_positive, check_positive_int, check_probability, check_tensor
from .batchnorm_functional import batch_norm

__all__ = ["BatchNormBase", "BatchNorm1d", "GhostBatchNorm1d", "BatchNorm2d"]


class BatchNormBase(nn.Module):
    r"""Shared base of :class:`BatchNorm1d` and :class:`BatchNorm2d` (the algorithm is in
    :func:`batch_norm`). Parameters and buffers have PyTorch's names — ``weight``, ``bias``,
    ``running_mean``, ``running_var``, ``num_batches_tracked`` — so state dicts are interchangeable.

    ``momentum=None`` replaces the exponential moving average by the cumulative average of
    all batches seen so far, :math:`\alpha = 1/t` at the :math:`t`-th training batch.
    ``track_running_stats=False`` keeps no running statistics: batch statistics are used in
    evaluation too. ``bias=False`` (with ``affine=True``) learns :math:`\gamma` only, as
    ``nn.BatchNorm1d(..., bias=False)``: the usual choice right before a layer that adds its own shift.

    Parameters
    ----------
    num_features : int
        Number of channels :math:`C`, >= 1.
    eps : float, default 1e-5
        :math:`\epsilon` added to the variance, > 0.
    momentum : float or None, default 0.1
        Weight of the new batch in the running statistics, in [0, 1]; ``None``: the cumulative average.
    affine : bool, default True
        Learn :math:`\gamma` (``weight``, init 1) and :math:`\beta` (``bias``, init 0).
    track_running_stats : bool, default True
        Keep running statistics (buffers ``running_mean``, ``running_var``, ``num_batches_tracked``) and
        use them in evaluation.
    device, dtype : optional
        Device and dtype of the parameters and buffers.
    bias : bool, default True
        With ``affine``, learn :math:`\beta` too (keyword-only).
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
        """Reset the running statistics: mean 0, variance 1, ``num_batches_tracked`` 0.

        Nothing to do without running statistics; the learnable parameters are kept.
        """
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
        """Normalise ``x`` with :func:`batch_norm`.

        Training mode uses the batch statistics (and updates the running ones); evaluation mode uses
        the running statistics, or the batch statistics when ``track_running_stats=False``.

        Parameters
        ----------
        x : torch.Tensor
            Floating-point input with ``num_features`` channels in dim 1, of a shape the subclass
            accepts (``(N, C)`` or ``(N, C, L)`` for :class:`BatchNorm1d`, ``(N, C, H, W)`` for
            :class:`BatchNorm2d`).

        Returns
        -------
        torch.Tensor
            The normalised input, same shape.

        Raises
        ------
        ValueError
            If ``x`` has the wrong number of dimensions or of channels.
        """
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
        """The module's settings, as ``nn.BatchNorm1d`` prints them.

        Returns
        -------
        str
            E.g. ``"4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True"``.
        """
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
    (the last may be smaller, but needs two rows or more), and each chunk is normalised with its own
    :math:`\mu_B, \sigma_B^2` exactly as :class:`BatchNorm1d` does. The optimizer still sees the whole mini-batch.

    The batch mean of :math:`m` examples varies around the true mean by about
    :math:`\sigma/\sqrt m`, so a small ``ghost_size`` makes the normalisation noisier without changing
    the gradient's batch size: it isolates the noise of batch statistics. Running statistics are
    updated once per chunk; evaluation is that of :class:`BatchNorm1d`. A ``ghost_size`` at least
    the batch size gives :class:`BatchNorm1d` itself.

    Parameters
    ----------
    num_features : int
        Number of features :math:`C`, >= 1.
    ghost_size : int, default 8
        Number of examples per ghost batch, >= 2.
    **kwargs
        The other arguments of :class:`BatchNormBase` (``eps``, ``momentum``, ``affine``, ...).

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
        """Normalise ``x``, each ghost batch with its own statistics in training mode.

        In evaluation mode, or when ``x`` has at most ``ghost_size`` rows, this is :class:`BatchNorm1d`'s
        ``forward``.

        Parameters
        ----------
        x : torch.Tensor
            Floating-point input of shape ``(N, C)`` or ``(N, C, L)``.

        Returns
        -------
        torch.Tensor
            The normalised input, same shape.
        """
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
        r"""The running statistics after one update per chunk (``means``, ``variances``: one row per chunk),
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
        """:class:`BatchNorm1d`'s settings and ``ghost_size``.

        Returns
        -------
        str
            The module's settings.
        """
        return super().extra_repr() + f", ghost_size={self.ghost_size}"


class BatchNorm2d(BatchNormBase):
    r"""Batch normalization for images ``(N, C, H, W)``: one :math:`(\mu, \sigma^2, \gamma, \beta)`
    per channel, statistics over the :math:`N \cdot H \cdot W` values of that channel — the
    same algorithm as :class:`BatchNorm1d` (see :func:`batch_norm`)."""

    _shapes = (4,)
    _shape_text = "4-D (N, C, H, W)"
