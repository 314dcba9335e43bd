r"""The element-wise activation functions and their analytic derivatives.

Every function takes a floating-point tensor ``x``. Each ``*_grad`` function returns the derivative
:math:`\varphi'(x)` element-wise, so that the chain rule reads ``grad_input = grad_output * phi_grad(x)``.
All of them stay finite for ``|x|`` up to ``1e4`` in float32: no branch ever evaluates ``exp`` of a large
positive number, even in the half of a ``torch.where`` that is thrown away (a thrown-away ``inf`` still
poisons gradients through ``0 * inf = nan``). :mod:`dlcourse.activations` registers them by name.

Examples
--------
>>> import torch
>>> x = torch.tensor([-1e4, 0.0, 1e4])
>>> sigmoid(x), sigmoid_grad(x)
(tensor([0.0000, 0.5000, 1.0000]), tensor([0.0000, 0.2500, 0.0000]))
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import (
    check_choice,
    check_nonnegative,
    check_number,
    check_positive,
    check_positive_int,
    check_tensor,
)

__all__ = [
    "SELU_ALPHA",
    "SELU_SCALE",
    "identity",
    "identity_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "rrelu_slopes",
    "rrelu",
    "rrelu_grad",
    "prelu",
    "prelu_grad",
    "prelu_weight_grad",
    "PReLU",
    "elu",
    "elu_grad",
    "selu",
    "selu_grad",
    "selu_moments",
    "gelu",
    "gelu_grad",
    "softplus",
    "softplus_grad",
]

#: SELU constants from Klambauer et al. (2017), chosen so that mean 0 / variance 1 is a fixed point.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_COEFF = 0.044715


def _x(x) -> torch.Tensor:
    return check_tensor(x, "x", floating=True)


# --------------------------------------------------------------------------- identity
def identity(x: torch.Tensor) -> torch.Tensor:
    r"""Identity (linear) activation :math:`\varphi(x) = x`; derivative 1."""
    return _x(x).clone()


def identity_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\varphi'(x) = 1`."""
    return torch.ones_like(_x(x))


# --------------------------------------------------------------------------- sigmoid
def sigmoid(x: torch.Tensor) -> torch.Tensor:
    r"""Logistic sigmoid :math:`\sigma(x) = \dfrac{1}{1 + e^{-x}}`, range (0, 1).

    Computed stably as :math:`\frac{1}{1+e^{-|x|}}` for :math:`x \ge 0` and
    :math:`\frac{e^{-|x|}}{1+e^{-|x|}}` for :math:`x < 0`, so ``exp`` only ever sees a
    non-positive argument: :math:`e^{-x}` for :math:`x = -10^4` would overflow to ``inf``.
    """
    x = _x(x)
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`, at most 1/4 (at 0)."""
    s = sigmoid(x)
    return s * (1.0 - s)


# --------------------------------------------------------------------------- tanh
def tanh(x: torch.Tensor) -> torch.Tensor:
    r"""Hyperbolic tangent :math:`\tanh(x) = \dfrac{e^{x} - e^{-x}}{e^{x} + e^{-x}}`, range (−1, 1).

    Computed as :math:`\operatorname{sign}(x)\,\dfrac{1 - e^{-2|x|}}{1 + e^{-2|x|}}`
    (with ``expm1`` for precision near 0), which never overflows.
    """
    x = _x(x)
    e = torch.exp(-2.0 * x.abs())
    return torch.sign(x) * (-torch.expm1(-2.0 * x.abs())) / (1.0 + e)


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\tanh'(x) = 1 - \tanh^2(x)`, at most 1 (at 0).

    Computed as :math:`\operatorname{sech}^2 x = \dfrac{4e^{-2|x|}}{(1 + e^{-2|x|})^2}`: the same value,
    without the cancellation of :math:`1 - t^2` when :math:`t` is within float32 rounding of ±1.
    """
    return _sech2(_x(x))


def _sech2(u: torch.Tensor) -> torch.Tensor:
    e = torch.exp(-2.0 * u.abs())
    return 4.0 * e / (1.0 + e) ** 2


# --------------------------------------------------------------------------- ReLU family
def relu(x: torch.Tensor) -> torch.Tensor:
    r"""Rectified linear unit :math:`\operatorname{ReLU}(x) = \max(0, x)`."""
    x = _x(x)
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\operatorname{ReLU}'(x) = 1` if :math:`x > 0` else 0 (0 at :math:`x = 0`, as in PyTorch)."""
    x = _x(x)
    return (x > 0).to(x.dtype)


def _check_slope(negative_slope) -> float:
    return check_nonnegative(negative_slope, "negative_slope")


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    r"""Leaky ReLU :math:`\varphi(x) = x` if :math:`x > 0` else :math:`\alpha x`, with
    :math:`\alpha` = ``negative_slope`` :math:`\ge 0` (typically 0.01 to 0.3)."""
    x = _x(x)
    alpha = _check_slope(negative_slope)
    return torch.where(x > 0, x, alpha * x)


def leaky_relu_grad(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    r""":math:`\varphi'(x) = 1` if :math:`x > 0` else :math:`\alpha`."""
    x = _x(x)
    alpha = _check_slope(negative_slope)
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, alpha))


def _check_rrelu_bounds(lower, upper) -> tuple[float, float]:
    lower = check_nonnegative(lower, "lower")
    upper = check_nonnegative(upper, "upper")
    if lower > upper:
        raise ValueError(f"lower must be <= upper, got lower={lower}, upper={upper}")
    return lower, upper


def rrelu_slopes(
    x: torch.Tensor,
    lower: float = 1 / 8,
    upper: float = 1 / 3,
    training: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""The negative-side slopes RReLU uses for each element of ``x``.

    Training: :math:`a \sim \mathcal U(\text{lower}, \text{upper})`, one draw per element,
    drawn on the CPU from ``generator`` and then moved to ``x``'s device. Evaluation: the
    mean slope :math:`(\text{lower} + \text{upper}) / 2` everywhere.
    """
    x = _x(x)
    lower, upper = _check_rrelu_bounds(lower, upper)
    if not training:
        return torch.full_like(x, (lower + upper) / 2.0)
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype)
    return (lower + (upper - lower) * u).to(x.device)


def rrelu(
    x: torch.Tensor,
    lower: float = 1 / 8,
    upper: float = 1 / 3,
    training: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Randomized leaky ReLU (Xu et al. 2015): :math:`\varphi(x) = x` if :math:`x > 0` else :math:`a x`.

    In training :math:`a \sim \mathcal U(\text{lower}, \text{upper})` is drawn afresh for every
    element (a regulariser); in evaluation :math:`a = (\text{lower} + \text{upper})/2`, which
    makes the network deterministic. Pass the same seeded ``generator`` to :func:`rrelu_grad`
    to get the derivative of the very same draw.
    """
    slopes = rrelu_slopes(x, lower, upper, training, generator)
    return torch.where(x > 0, x, slopes * x)


def rrelu_grad(
    x: torch.Tensor,
    lower: float = 1 / 8,
    upper: float = 1 / 3,
    training: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r""":math:`\varphi'(x) = 1` if :math:`x > 0` else the slope :math:`a` used in the forward pass."""
    slopes = rrelu_slopes(x, lower, upper, training, generator)
    return torch.where(x > 0, torch.ones_like(x), slopes)


def _prelu_weight_view(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    weight = check_tensor(weight, "weight", floating=True)
    if weight.ndim != 1:
        raise ValueError(f"weight must be 1-D (one slope, or one per channel), got shape {tuple(weight.shape)}")
    if weight.numel() == 1:
        return weight.reshape(())
    if x.ndim < 2 or x.shape[1] != weight.numel():
        raise ValueError(
            f"weight has {weight.numel()} slopes but x has shape {tuple(x.shape)}: "
            "a per-channel PReLU needs x.shape[1] == weight.numel()"
        )
    return weight.reshape((1, -1) + (1,) * (x.ndim - 2))


def prelu(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    r"""Parametric ReLU (He et al. 2015): :math:`\varphi(x) = x` if :math:`x > 0` else :math:`a x`,
    where the slope :math:`a` is *learned* (one, or one per channel along dim 1)."""
    x = _x(x)
    a = _prelu_weight_view(x, weight)
    return torch.where(x > 0, x, a * x)


def prelu_grad(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    r""":math:`\partial\varphi/\partial x = 1` if :math:`x > 0` else :math:`a`; the slope's own gradient
    is :math:`\partial\varphi/\partial a = x` on the negative side, 0 elsewhere (see :func:`prelu_weight_grad`)."""
    x = _x(x)
    a = _prelu_weight_view(x, weight)
    return torch.where(x > 0, torch.ones_like(x), a * torch.ones_like(x))


def prelu_weight_grad(x: torch.Tensor, weight: torch.Tensor, grad_output: torch.Tensor) -> torch.Tensor:
    r"""Gradient of the loss w.r.t. PReLU's slopes: :math:`\sum \text{grad\_output}\cdot \min(x, 0)`,
    summed over every position that shares a slope."""
    x = _x(x)
    a = _prelu_weight_view(x, weight)
    contrib = check_tensor(grad_output, "grad_output", floating=True) * torch.where(x > 0, torch.zeros_like(x), x)
    if a.ndim == 0:
        return contrib.sum().reshape(1)
    dims = [d for d in range(x.ndim) if d != 1]
    return contrib.sum(dim=dims)


class PReLU(nn.Module):
    r"""Parametric ReLU as a module: :math:`\varphi(x) = \max(0, x) + a \min(0, x)` with learnable :math:`a`.

    ``num_parameters`` is 1 (one slope shared by all units) or the number of channels
    (``x.shape[1]``); slopes start at ``init`` (0.25, as in He et al. 2015 and PyTorch).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25):
        super().__init__()
        num_parameters = check_positive_int(num_parameters, "num_parameters")
        init = check_number(init, "init")
        self.weight = nn.Parameter(torch.full((num_parameters,), init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.weight.numel()}"


# --------------------------------------------------------------------------- exponential family
def _check_alpha(alpha) -> float:
    return check_nonnegative(alpha, "alpha")


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    r"""Exponential linear unit (Clevert et al. 2016): :math:`\varphi(x) = x` if :math:`x > 0` else
    :math:`\alpha (e^{x} - 1)`, with :math:`\alpha \ge 0`; smooth for :math:`\alpha = 1`, saturates at :math:`-\alpha`."""
    x = _x(x)
    alpha = _check_alpha(alpha)
    # clamp: the positive side must not reach exp(), or 1e4 would give inf in the unused branch.
    return torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)))


def elu_grad(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    r""":math:`\varphi'(x) = 1` if :math:`x > 0` else :math:`\alpha e^{x}`."""
    x = _x(x)
    alpha = _check_alpha(alpha)
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp(max=0)))


def selu(x: torch.Tensor) -> torch.Tensor:
    r"""Scaled ELU (Klambauer et al. 2017): :math:`\varphi(x) = \lambda\,\mathrm{ELU}_{\alpha}(x)`
    with :math:`\lambda \approx 1.0507` and :math:`\alpha \approx 1.6733` (``SELU_SCALE``, ``SELU_ALPHA``).

    With standardised inputs, LeCun-normal weights and a plain sequential network, the
    activations keep mean 0 and variance 1 layer after layer (self-normalising).
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\varphi'(x) = \lambda` if :math:`x > 0` else :math:`\lambda \alpha e^{x}`."""
    return SELU_SCALE * elu_grad(x, SELU_ALPHA)


def selu_moments(mean: float, var: float, *, omega: float = 0.0, tau: float = 1.0) -> tuple[float, float]:
    r"""Mean and variance of a SELU unit's output, given its inputs' mean and variance (exact, float64).

    A unit computes :math:`y = \operatorname{selu}(z)` with :math:`z = w^\top x`. If the inputs
    :math:`x_i` are independent with mean :math:`\mu` and variance :math:`\nu`, and the weights have
    :math:`\omega = \sum_i w_i` and :math:`\tau = \sum_i w_i^2`, then for wide layers :math:`z` is
    close to :math:`\mathcal N(m, s^2)` with :math:`m = \mu\omega`, :math:`s^2 = \nu\tau`
    (Klambauer et al., 2017). With :math:`\Phi`, :math:`\varphi` the standard normal cdf and
    density and :math:`a = m/s`:

    .. math::

        \mathbb E[y] &= \lambda\bigl(m\Phi(a) + s\varphi(a)
            + \alpha\,[e^{m + s^2/2}\,\Phi(-a - s) - \Phi(-a)]\bigr) \\
        \mathbb E[y^2] &= \lambda^2\bigl((m^2 + s^2)\Phi(a) + m s\varphi(a)
            + \alpha^2\,[e^{2m + 2s^2}\,\Phi(-a - 2s) - 2e^{m + s^2/2}\,\Phi(-a - s) + \Phi(-a)]\bigr)

    and the function returns :math:`(\mathbb E[y], \mathbb E[y^2] - \mathbb E[y]^2)`. SELU's
    constants :math:`\lambda, \alpha` make :math:`(0, 1)` a fixed point of this map when
    :math:`\omega = 0, \tau = 1` (weights with mean 0 and variance :math:`1/n`: LeCun normal), and an
    attracting one: iterating the map, layer after layer, pulls nearby moments back to it.

    Examples
    --------
    >>> mean, var = selu_moments(0.0, 1.0)
    >>> round(mean, 12) + 0.0, round(var, 12)
    (0.0, 1.0)
    >>> [round(v, 3) for v in selu_moments(0.0, 1.0, tau=2.0)]  # weights twice too large: the variance grows
    [0.09, 1.714]
    """
    mean = check_number(mean, "mean")
    var = check_positive(var, "var")
    omega = check_number(omega, "omega")
    tau = check_positive(tau, "tau")
    m, s = mean * omega, math.sqrt(var * tau)
    a = m / s

    def cdf(v: float) -> float:
        return 0.5 * math.erfc(-v / math.sqrt(2.0))

    density = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    below = cdf(-a)
    exp_below = math.exp(m + s * s / 2) * cdf(-a - s)  # E[e^z; z <= 0]
    exp2_below = math.exp(2 * m + 2 * s * s) * cdf(-a - 2 * s)  # E[e^{2z}; z <= 0]
    first = SELU_SCALE * (m * cdf(a) + s * density + SELU_ALPHA * (exp_below - below))
    second = SELU_SCALE**2 * (
        (m * m + s * s) * cdf(a) + m * s * density + SELU_ALPHA**2 * (exp2_below - 2 * exp_below + below)
    )
    return first, second - first * first


_GELU_MODES = ("none", "tanh")


def gelu(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    r"""Gaussian error linear unit (Hendrycks & Gimpel 2016): :math:`\varphi(x) = x\,\Phi(x)`.

    ``approximate="none"``: :math:`\Phi(x) = \tfrac12\left(1 + \operatorname{erf}(x/\sqrt2)\right)`,
    the standard normal CDF. ``approximate="tanh"``:
    :math:`\tfrac12 x\left(1 + \tanh\!\left(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\right)\right)`.
    """
    x = _x(x)
    check_choice(approximate, "approximate", _GELU_MODES)
    if approximate == "tanh":
        return 0.5 * x * (1.0 + tanh(_SQRT_2_OVER_PI * (x + _GELU_TANH_COEFF * x**3)))
    return 0.5 * x * (1.0 + torch.erf(x / _SQRT_2))


def gelu_grad(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    r"""Exact: :math:`\varphi'(x) = \Phi(x) + x\,\phi(x)` with :math:`\phi(x) = e^{-x^2/2}/\sqrt{2\pi}`.
    Tanh form, with :math:`u = \sqrt{2/\pi}(x + 0.044715x^3)` and :math:`t = \tanh u`:
    :math:`\tfrac12(1 + t) + \tfrac12 x (1 - t^2)\sqrt{2/\pi}(1 + 3\cdot 0.044715\,x^2)`."""
    x = _x(x)
    check_choice(approximate, "approximate", _GELU_MODES)
    if approximate == "tanh":
        u = _SQRT_2_OVER_PI * (x + _GELU_TANH_COEFF * x**3)
        du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_TANH_COEFF * x * x)
        return 0.5 * (1.0 + tanh(u)) + 0.5 * x * _sech2(u) * du
    cdf = 0.5 * (1.0 + torch.erf(x / _SQRT_2))
    pdf = _INV_SQRT_2PI * torch.exp(-0.5 * x * x)
    return cdf + x * pdf


def softplus(x: torch.Tensor, beta: float = 1.0, threshold: float = 20.0) -> torch.Tensor:
    r"""Softplus :math:`\varphi(x) = \frac1\beta \log(1 + e^{\beta x})`, a smooth ReLU.

    Computed as :math:`\frac1\beta\left(\max(\beta x, 0) + \log(1 + e^{-|\beta x|})\right)`;
    where :math:`\beta x >` ``threshold`` the result is :math:`x` itself (as in PyTorch).
    """
    x = _x(x)
    beta = check_positive(beta, "beta")
    threshold = check_number(threshold, "threshold")
    bx = beta * x
    smooth = (bx.clamp(min=0) + torch.log1p(torch.exp(-bx.abs()))) / beta
    return torch.where(bx > threshold, x, smooth)


def softplus_grad(x: torch.Tensor, beta: float = 1.0, threshold: float = 20.0) -> torch.Tensor:
    r""":math:`\varphi'(x) = \sigma(\beta x)` (1 where :math:`\beta x >` ``threshold``)."""
    x = _x(x)
    beta = check_positive(beta, "beta")
    threshold = check_number(threshold, "threshold")
    bx = beta * x
    return torch.where(bx > threshold, torch.ones_like(x), sigmoid(bx))
