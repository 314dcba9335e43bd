r"""The smooth, exponential-based relatives of ReLU with their analytic derivatives: ELU, SELU (and the
moment map that makes it self-normalising), GELU and softplus.

Examples
--------
>>> import torch
>>> x = torch.tensor([-1e4, 0.0, 2.0])
>>> elu(x), softplus(x)
(tensor([-1.,  0.,  2.]), tensor([0.0000, 0.6931, 2.1269]))
"""

from __future__ import annotations

import math

import torch

from .._checks import check_choice, check_nonnegative, check_number, check_positive
from .elementwise import _sech2, _x, sigmoid, tanh

__all__ = [
    "SELU_ALPHA",
    "SELU_SCALE",
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


# --------------------------------------------------------------------------- exponential family
def _check_alpha(alpha) -> float:
    return check_nonnegative(alpha, "alpha")


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    r"""Exponential linear unit (Clevert et al. 2016): :math:`\varphi(x) = x` if :math:`x > 0` else
    :math:`\alpha (e^{x} - 1)`, with :math:`\alpha \ge 0`; smooth for :math:`\alpha = 1`, saturates at :math:`-\alpha`.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    alpha : float, default 1.0
        The scale :math:`\alpha` of the negative side (its limit is :math:`-\alpha`); must be >= 0.

    Returns
    -------
    torch.Tensor
        ``elu(x)``, same shape as ``x``.
    """
    x = _x(x)
    alpha = _check_alpha(alpha)
    # clamp: the positive side must not reach exp(), or 1e4 would give inf in the unused branch.
    return torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)))


def elu_grad(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    r""":math:`\varphi'(x) = 1` if :math:`x > 0` else :math:`\alpha e^{x}`.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    alpha : float, default 1.0
        The scale :math:`\alpha` of the negative side; must be >= 0.

    Returns
    -------
    torch.Tensor
        The derivative at ``x``, same shape as ``x``.
    """
    x = _x(x)
    alpha = _check_alpha(alpha)
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp(max=0)))


def selu(x: torch.Tensor) -> torch.Tensor:
    r"""Scaled ELU (Klambauer et al. 2017): :math:`\varphi(x) = \lambda\,\mathrm{ELU}_{\alpha}(x)`
    with :math:`\lambda \approx 1.0507` and :math:`\alpha \approx 1.6733` (``SELU_SCALE``, ``SELU_ALPHA``).

    With standardised inputs, LeCun-normal weights and a plain sequential network, the
    activations keep mean 0 and variance 1 layer after layer (self-normalising).

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        ``selu(x)``, same shape as ``x``.
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\varphi'(x) = \lambda` if :math:`x > 0` else :math:`\lambda \alpha e^{x}`.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        The derivative at ``x``, same shape as ``x``.
    """
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

    Parameters
    ----------
    mean : float
        The inputs' mean :math:`\mu`.
    var : float
        The inputs' variance :math:`\nu`; must be > 0.
    omega : float, default 0.0
        :math:`\omega = \sum_i w_i` (keyword-only).
    tau : float, default 1.0
        :math:`\tau = \sum_i w_i^2` (keyword-only); must be > 0.

    Returns
    -------
    tuple of float
        ``(mean, variance)`` of the unit's output.

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

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    approximate : {"none", "tanh"}, default "none"
        The exact form or the tanh approximation.

    Returns
    -------
    torch.Tensor
        ``gelu(x)``, same shape as ``x``.
    """
    x = _x(x)
    check_choice(approximate, "approximate", _GELU_MODES)
    if approximate == "tanh":
        return 0.5 * x * (1.0 + tanh(_SQRT_2_OVER_PI * (x + _GELU_TANH_COEFF * x**3)))
    return 0.5 * x * (1.0 + torch.erf(x / _SQRT_2))


def gelu_grad(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    r"""Exact: :math:`\varphi'(x) = \Phi(x) + x\,\phi(x)` with :math:`\phi(x) = e^{-x^2/2}/\sqrt{2\pi}`.
    Tanh form, with :math:`u = \sqrt{2/\pi}(x + 0.044715x^3)` and :math:`t = \tanh u`:
    :math:`\tfrac12(1 + t) + \tfrac12 x (1 - t^2)\sqrt{2/\pi}(1 + 3\cdot 0.044715\,x^2)`.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    approximate : {"none", "tanh"}, default "none"
        The derivative of the exact form or of the tanh approximation.

    Returns
    -------
    torch.Tensor
        The derivative at ``x``, same shape as ``x``.
    """
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

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    beta : float, default 1.0
        The sharpness :math:`\beta`; must be > 0.
    threshold : float, default 20.0
        Above it (:math:`\beta x >` ``threshold``) the function is the identity.

    Returns
    -------
    torch.Tensor
        ``softplus(x)``, same shape as ``x``.
    """
    x = _x(x)
    beta = check_positive(beta, "beta")
    threshold = check_number(threshold, "threshold")
    bx = beta * x
    smooth = (bx.clamp(min=0) + torch.log1p(torch.exp(-bx.abs()))) / beta
    return torch.where(bx > threshold, x, smooth)


def softplus_grad(x: torch.Tensor, beta: float = 1.0, threshold: float = 20.0) -> torch.Tensor:
    r""":math:`\varphi'(x) = \sigma(\beta x)` (1 where :math:`\beta x >` ``threshold``).

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    beta : float, default 1.0
        The sharpness :math:`\beta`; must be > 0.
    threshold : float, default 20.0
        Above it (:math:`\beta x >` ``threshold``) the derivative is 1.

    Returns
    -------
    torch.Tensor
        The derivative at ``x``, same shape as ``x``.
    """
    x = _x(x)
    beta = check_positive(beta, "beta")
    threshold = check_number(threshold, "threshold")
    bx = beta * x
    return torch.where(bx > threshold, torch.ones_like(x), sigmoid(bx))
