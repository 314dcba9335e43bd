r"""Normalisation of inputs and activations.

Inputs: :class:`Standardizer` (per-feature mean and standard deviation) and
:class:`PCAWhitener` (decorrelate, then scale to unit variance). The data loaders use
:class:`Standardizer` from the first chapter on, because the rule it enforces matters
everywhere: statistics are fitted on the *training* split only, then applied unchanged to
validation and test data, so that no information about them leaks into training.

Why it matters for optimisation: :func:`quadratic_form`, :func:`condition_number`,
:func:`gradient_descent` and :func:`steps_to_converge` measure how badly scaled features
stretch the loss bowl of a linear model and slow gradient descent down.

Activations: :class:`BatchNorm1d`, :class:`BatchNorm2d` (functional form :func:`batch_norm`)
and :class:`LayerNorm` (:func:`layer_norm`), written from the algorithm and tested against
``torch.nn``'s modules; their parameters and buffers carry PyTorch's names.
"""

from __future__ import annotations

import functools
import math
import numbers

import torch
from torch import nn

from ._checks import (
    check_nonnegative,
    check_positive,
    check_positive_int,
    check_probability,
    check_tensor,
)


class Standardizer:
    r"""Per-feature standardisation :math:`z = (x - \mu) / \sigma`, fitted on training data only.

    :math:`\mu` and :math:`\sigma` (population standard deviation, as in scikit-learn's
    ``StandardScaler``) are computed over ``dims`` (default: the batch dimension, i.e. one
    pair per feature; ``dims=(0, 2, 3)`` gives one pair per image channel). A feature with
    zero variance (a pixel that is always blank) gets :math:`\sigma = 1`, so it maps to 0
    instead of NaN.

    Examples
    --------
    >>> s = Standardizer().fit(torch.tensor([[0.0, 5.0], [2.0, 5.0]]))
    >>> s.transform(torch.tensor([[1.0, 5.0]]))
    tensor([[0., 0.]])
    """

    def __init__(self, dims: tuple[int, ...] = (0,)):
        self.dims = tuple(dims)
        self.mean: torch.Tensor | None = None
        self.std: torch.Tensor | None = None

    def fit(self, X: torch.Tensor) -> "Standardizer":
        X = check_tensor(X, "X", floating=True)
        if X.shape[0] < 1:
            raise ValueError("X must have at least one row to fit a Standardizer")
        self.mean = X.mean(dim=self.dims, keepdim=True)
        std = X.std(dim=self.dims, keepdim=True, unbiased=False)
        self.std = torch.where(std > 0, std, torch.ones_like(std))
        return self

    def _check_fitted(self) -> None:
        if self.mean is None:
            raise RuntimeError("this Standardizer is not fitted yet: call fit(X_train) first")

    def transform(self, X: torch.Tensor) -> torch.Tensor:
        self._check_fitted()
        X = check_tensor(X, "X", floating=True)
        return (X - self.mean.to(X.device)) / self.std.to(X.device)

    def inverse_transform(self, Z: torch.Tensor) -> torch.Tensor:
        self._check_fitted()
        Z = check_tensor(Z, "Z", floating=True)
        return Z * self.std.to(Z.device) + self.mean.to(Z.device)

    def fit_transform(self, X: torch.Tensor) -> torch.Tensor:
        return self.fit(X).transform(X)


# --------------------------------------------------------------------------- whitening
class PCAWhitener:
    r"""PCA (or ZCA) whitening, fitted on training data only.

    With the centred training data :math:`X_c = X - \mu` and its covariance
    :math:`\Sigma = X_c^\top X_c / n = U \Lambda U^\top` (eigendecomposition),

    .. math::

        \text{PCA: } Z = X_c\,U(\Lambda + \epsilon I)^{-1/2}, \qquad
        \text{ZCA: } Z = X_c\,U(\Lambda + \epsilon I)^{-1/2}U^\top .

    The covariance of :math:`Z` on the training data is the identity (up to :math:`\epsilon`):
    features are decorrelated *and* scaled to unit variance. ZCA rotates back, so that each
    output stays close to the input feature of the same index. Columns of :math:`U` are
    ordered by decreasing eigenvalue. ``eps`` keeps directions of (near-)zero variance finite.

    Examples
    --------
    >>> X = torch.tensor([[0.0, 0.0], [2.0, 2.0], [1.0, 2.0], [3.0, 4.0]])
    >>> Z = PCAWhitener().fit_transform(X)
    >>> torch.allclose(Z.T @ Z / len(Z), torch.eye(2), atol=1e-3)
    True
    """

    def __init__(self, eps: float = 1e-5, zca: bool = False):
        self.eps = check_nonnegative(eps, "eps")
        if not isinstance(zca, bool):
            raise TypeError(f"zca must be a bool, got {type(zca).__name__}")
        self.zca = zca
        self.mean: torch.Tensor | None = None
        self.eigenvalues: torch.Tensor | None = None
        self.components: torch.Tensor | None = None

    def fit(self, X: torch.Tensor) -> "PCAWhitener":
        X = _check_matrix(X, "X")
        if X.shape[0] < 2:
            raise ValueError(f"X must have at least 2 rows to estimate a covariance, got {X.shape[0]}")
        self.mean = X.mean(dim=0, keepdim=True)
        Xc = X - self.mean
        cov = Xc.T @ Xc / X.shape[0]
        eigenvalues, vectors = torch.linalg.eigh(cov)  # ascending
        self.eigenvalues = eigenvalues.flip(0).clamp(min=0)
        self.components = vectors.flip(1)
        return self

    def _matrices(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.mean is None:
            raise RuntimeError("this PCAWhitener is not fitted yet: call fit(X_train) first")
        scale = (self.eigenvalues + self.eps).sqrt()
        U = self.components
        forward, backward = U / scale, (U * scale).T
        if self.zca:
            forward, backward = forward @ U.T, U @ backward
        return forward, backward

    def transform(self, X: torch.Tensor) -> torch.Tensor:
        X = _check_matrix(X, "X")
        forward, _ = self._matrices()
        return (X - self.mean.to(X)) @ forward.to(X)

    def inverse_transform(self, Z: torch.Tensor) -> torch.Tensor:
        Z = _check_matrix(Z, "Z")
        _, backward = self._matrices()
        return Z @ backward.to(Z) + self.mean.to(Z)

    def fit_transform(self, X: torch.Tensor) -> torch.Tensor:
        return self.fit(X).transform(X)


def _check_matrix(X, name: str) -> torch.Tensor:
    X = check_tensor(X, name, floating=True)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {tuple(X.shape)}")
    return X


# --------------------------------------------------------------------------- conditioning and GD
def quadratic_form(X: torch.Tensor, y: torch.Tensor, *, intercept: bool = True):
    r"""Hessian and optimum of the mean-squared-error loss of a linear model.

    For :math:`L(w) = \frac{1}{2n}\lVert Aw - y\rVert^2` with :math:`A = [X\;\mathbf 1]`
    (the column of ones only when ``intercept``), the Hessian is the constant matrix
    :math:`H = A^\top A / n` and the gradient is :math:`\nabla L(w) = Hw - A^\top y / n`.
    Returns ``(H, b, w_star, loss_star)`` with :math:`b = A^\top y / n` and the least-squares
    optimum :math:`w^\star` (in float64).
    """
    A = _check_matrix(X, "X").double()
    y = check_tensor(y, "y", floating=True).double().reshape(len(A), -1)
    if y.shape[1] != 1:
        raise ValueError(f"y must hold one target per row, got shape {tuple(y.shape)}")
    if intercept:
        A = torch.cat([A, torch.ones(len(A), 1, dtype=A.dtype)], dim=1)
    n = len(A)
    H = A.T @ A / n
    b = (A.T @ y / n).reshape(-1)
    w_star = torch.linalg.lstsq(A, y).solution.reshape(-1)
    loss_star = float(((A @ w_star - y.reshape(-1)) ** 2).mean() / 2)
    return H, b, w_star, loss_star


def condition_number(X: torch.Tensor, *, intercept: bool = True) -> float:
    r"""Condition number :math:`\kappa = \lambda_{\max} / \lambda_{\min}` of the Hessian
    :math:`H = A^\top A / n` of the squared loss of a linear model on ``X`` (see
    :func:`quadratic_form`). Gradient descent needs on the order of :math:`\kappa` steps:
    the step size is limited by :math:`\lambda_{\max}` (it diverges for
    :math:`\eta > 2/\lambda_{\max}`), while the error along the flattest direction shrinks by
    only :math:`1 - \eta\lambda_{\min}` per step.

    Examples
    --------
    >>> X = torch.tensor([[1.0, 10.0], [-1.0, -10.0], [1.0, -10.0], [-1.0, 10.0]])
    >>> round(condition_number(X, intercept=False), 6)
    100.0
    """
    A = _check_matrix(X, "X").double()
    if intercept:
        A = torch.cat([A, torch.ones(len(A), 1, dtype=A.dtype)], dim=1)
    eig = torch.linalg.eigvalsh(A.T @ A / len(A))
    return float(eig[-1] / eig[0]) if eig[0] > 0 else math.inf


def gradient_descent(H: torch.Tensor, b: torch.Tensor, w0: torch.Tensor, *, lr: float, steps: int) -> torch.Tensor:
    r"""Full-batch gradient descent on the quadratic :math:`L(w) = \tfrac12 w^\top H w - b^\top w + c`:

    .. math:: w_{t+1} = w_t - \eta\,(H w_t - b).

    Returns the path, a tensor of shape ``(steps + 1, d)`` whose row ``t`` is :math:`w_t`.
    It converges for :math:`0 < \eta < 2/\lambda_{\max}(H)` and diverges beyond.
    """
    H = check_tensor(H, "H", floating=True)
    b = check_tensor(b, "b", floating=True).reshape(-1)
    w = check_tensor(w0, "w0", floating=True).reshape(-1).to(H.dtype).clone()
    lr = check_positive(lr, "lr")
    steps = check_positive_int(steps, "steps")
    path = [w.clone()]
    for _ in range(steps):
        w = w - lr * (H @ w - b)
        path.append(w.clone())
    return torch.stack(path)


def steps_to_converge(H: torch.Tensor, b: torch.Tensor, w0: torch.Tensor, *, lr: float, tol: float = 1e-3,
                      max_steps: int = 10**9) -> int | None:
    r"""Number of gradient-descent steps until the excess loss falls to ``tol`` times its start.

    On a quadratic the iteration has a closed form. In the eigenbasis :math:`H = \sum_i
    \lambda_i u_i u_i^\top`, with :math:`c_i = u_i^\top(w_0 - w^\star)`,

    .. math:: L(w_t) - L^\star = \tfrac12 \sum_i \lambda_i c_i^2 (1 - \eta\lambda_i)^{2t},

    so the answer is the smallest :math:`t` with
    :math:`L(w_t) - L^\star \le \text{tol}\,(L(w_0) - L^\star)`, found by bisection without
    running the steps (:func:`gradient_descent` gives the same count, slowly). Returns
    ``None`` if that takes more than ``max_steps`` or if GD diverges (:math:`\eta \ge 2/\lambda_{\max}`).
    """
    H = check_tensor(H, "H", floating=True).double()
    b = check_tensor(b, "b", floating=True).double().reshape(-1)
    w0 = check_tensor(w0, "w0", floating=True).double().reshape(-1)
    lr = check_positive(lr, "lr")
    tol = check_positive(tol, "tol")
    eig, U = torch.linalg.eigh(H)
    w_star = torch.linalg.lstsq(H, b.unsqueeze(1)).solution.reshape(-1)
    c = U.T @ (w0 - w_star)
    weights = eig.clamp(min=0) * c**2
    factors = (1 - lr * eig).abs()
    keep = weights > weights.sum() * 1e-300
    weights, factors = weights[keep], factors[keep]
    if weights.numel() == 0:
        return 0
    if (factors >= 1).any():
        return None
    log_w, log_f, target = weights.log(), 2 * factors.log(), math.log(tol) + float(weights.sum().log())

    def excess_ok(t: int) -> bool:
        return float(torch.logsumexp(log_w + t * log_f, 0)) <= target

    if not excess_ok(max_steps):
        return None
    lo, hi = -1, max_steps  # excess_ok(hi) is True; excess_ok(lo) is taken as False
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if excess_ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


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


def batch_norm(x: torch.Tensor, running_mean: torch.Tensor | None, running_var: torch.Tensor | None,
               weight: torch.Tensor | None = None, bias: torch.Tensor | None = None, *, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> torch.Tensor:
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
            raise ValueError(f"x: expected more than 1 value per channel when training, got input of shape "
                             f"{tuple(x.shape)} (a batch of one example has zero batch variance)")
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

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        self.num_features = check_positive_int(num_features, "num_features")
        self.eps = check_positive(eps, "eps")
        self.momentum = None if momentum is None else check_probability(momentum, "momentum")
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        factory = {"device": device, "dtype": dtype}
        self.register_parameter("weight", nn.Parameter(torch.ones(num_features, **factory)) if self.affine else None)
        self.register_parameter("bias", nn.Parameter(torch.zeros(num_features, **factory)) if self.affine and bias
                                else None)
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
        return batch_norm(x, buffers["running_mean"], buffers["running_var"], params["weight"], params["bias"],
                          training=self.training, momentum=factor, eps=self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}" + ("" if self.bias is not None or not self.affine
                                                                     else ", bias=False"))


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


class BatchNorm2d(BatchNormBase):
    r"""Batch normalization for images ``(N, C, H, W)``: one :math:`(\mu, \sigma^2, \gamma, \beta)`
    per channel, statistics over the :math:`N \cdot H \cdot W` values of that channel — the
    same algorithm as :class:`BatchNorm1d` (see :func:`batch_norm`)."""

    _shapes = (4,)
    _shape_text = "4-D (N, C, H, W)"


# --------------------------------------------------------------------------- layer normalization
def layer_norm(x: torch.Tensor, normalized_shape: tuple[int, ...], weight: torch.Tensor | None = None,
               bias: torch.Tensor | None = None, eps: float = 1e-5) -> torch.Tensor:
    r"""Layer normalization (Ba et al., 2016): statistics per *example*, over its last
    ``len(normalized_shape)`` dimensions (the :math:`H` features of that example):

    .. math::

        \mu = \frac1H\sum_{j} x_j, \quad \sigma^2 = \frac1H\sum_j (x_j - \mu)^2, \quad
        y = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta .

    No running statistics: training and evaluation compute the same thing, and an example's
    output does not depend on the rest of the batch.
    """
    x = check_tensor(x, "x", floating=True)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(x.shape[x.ndim - k:]) != normalized_shape or x.ndim < k:
        raise ValueError(f"x must end with the normalized shape {normalized_shape}: expected shape "
                         f"(*, {', '.join(map(str, normalized_shape))}), got {tuple(x.shape)}")
    dims = tuple(range(x.ndim - k, x.ndim))
    var, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
    out = (x - mean) * torch.rsqrt(var + check_positive(eps, "eps"))
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


class LayerNorm(nn.Module):
    r"""Layer normalization as a module: :func:`layer_norm` over the last dimensions
    ``normalized_shape``, with an element-wise learnable :math:`\gamma` (init 1) and
    :math:`\beta` (init 0) of that shape (``elementwise_affine``, ``bias``), as ``nn.LayerNorm``.

    Examples
    --------
    >>> LayerNorm(3)(torch.tensor([[1.0, 2.0, 3.0]]))
    tensor([[-1.2247,  0.0000,  1.2247]], grad_fn=<AddBackward0>)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(check_positive_int(s, "normalized_shape") for s in normalized_shape)
        self.eps = check_positive(eps, "eps")
        self.elementwise_affine = bool(elementwise_affine)
        factory = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(torch.ones(self.normalized_shape, **factory)) if elementwise_affine else None
        self.bias = (nn.Parameter(torch.zeros(self.normalized_shape, **factory))
                     if elementwise_affine and bias else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_tensor(x, "input", floating=True)
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
