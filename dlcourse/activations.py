r"""Activation functions, their analytic derivatives, and a registry to build them by name.

Every function takes a floating-point tensor ``x`` and works element-wise (softmax and
log-softmax along ``dim``). Each ``*_grad`` function returns the derivative
:math:`\varphi'(x)` element-wise, so that the chain rule reads
``grad_input = grad_output * phi_grad(x)``; softmax and log-softmax, whose Jacobians are
not diagonal, instead take ``grad_output`` and return the vector-Jacobian product.

All of them stay finite for ``|x|`` up to ``1e4`` in float32: no branch ever evaluates
``exp`` of a large positive number, even in the half of a ``torch.where`` that is thrown away
(a thrown-away ``inf`` still poisons gradients through ``0 * inf = nan``).

Examples
--------
>>> import torch
>>> from dlcourse import activations as A
>>> x = torch.tensor([-1e4, 0.0, 1e4])
>>> A.sigmoid(x)
tensor([0.0000, 0.5000, 1.0000])
>>> A.get_activation("leaky_relu", negative_slope=0.1)
Activation(leaky_relu, negative_slope=0.1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from ._checks import (
    check_choice,
    check_dim,
    check_nonnegative,
    check_number,
    check_positive,
    check_positive_int,
    check_tensor,
)

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


def rrelu_slopes(x: torch.Tensor, lower: float = 1 / 8, upper: float = 1 / 3,
                 training: bool = False, generator: torch.Generator | None = None) -> torch.Tensor:
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


def rrelu(x: torch.Tensor, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False,
          generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Randomized leaky ReLU (Xu et al. 2015): :math:`\varphi(x) = x` if :math:`x > 0` else :math:`a x`.

    In training :math:`a \sim \mathcal U(\text{lower}, \text{upper})` is drawn afresh for every
    element (a regulariser); in evaluation :math:`a = (\text{lower} + \text{upper})/2`, which
    makes the network deterministic. Pass the same seeded ``generator`` to :func:`rrelu_grad`
    to get the derivative of the very same draw.
    """
    slopes = rrelu_slopes(x, lower, upper, training, generator)
    return torch.where(x > 0, x, slopes * x)


def rrelu_grad(x: torch.Tensor, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False,
               generator: torch.Generator | None = None) -> torch.Tensor:
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
        raise ValueError(f"weight has {weight.numel()} slopes but x has shape {tuple(x.shape)}: "
                         "a per-channel PReLU needs x.shape[1] == weight.numel()")
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
        return 0.5 * x * (1.0 + tanh(_SQRT_2_OVER_PI * (x + _GELU_TANH_COEFF * x ** 3)))
    return 0.5 * x * (1.0 + torch.erf(x / _SQRT_2))


def gelu_grad(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    r"""Exact: :math:`\varphi'(x) = \Phi(x) + x\,\phi(x)` with :math:`\phi(x) = e^{-x^2/2}/\sqrt{2\pi}`.
    Tanh form, with :math:`u = \sqrt{2/\pi}(x + 0.044715x^3)` and :math:`t = \tanh u`:
    :math:`\tfrac12(1 + t) + \tfrac12 x (1 - t^2)\sqrt{2/\pi}(1 + 3\cdot 0.044715\,x^2)`."""
    x = _x(x)
    check_choice(approximate, "approximate", _GELU_MODES)
    if approximate == "tanh":
        u = _SQRT_2_OVER_PI * (x + _GELU_TANH_COEFF * x ** 3)
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


# --------------------------------------------------------------------------- softmax
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Softmax along ``dim``: :math:`\operatorname{softmax}(x)_i = \dfrac{e^{x_i}}{\sum_j e^{x_j}}`.

    Subtracting :math:`\max_j x_j` first leaves the result unchanged (it cancels in the
    ratio) and keeps every exponent :math:`\le 0`, so nothing overflows.
    """
    x = _x(x)
    dim = check_dim(x, dim)
    z = x - x.amax(dim=dim, keepdim=True)
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Log-softmax along ``dim``: :math:`x_i - \log\sum_j e^{x_j}`, computed as
    :math:`z_i - \log\sum_j e^{z_j}` with :math:`z = x - \max_j x_j` (log-sum-exp trick)."""
    x = _x(x)
    dim = check_dim(x, dim)
    z = x - x.amax(dim=dim, keepdim=True)
    return z - torch.log(torch.exp(z).sum(dim=dim, keepdim=True))


def softmax_jacobian(x: torch.Tensor) -> torch.Tensor:
    r"""Jacobian of softmax for a 1-D ``x``: :math:`J = \operatorname{diag}(s) - s s^\top`, :math:`s = \operatorname{softmax}(x)`."""
    x = _x(x)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D for softmax_jacobian, got shape {tuple(x.shape)}")
    s = softmax(x)
    return torch.diag(s) - torch.outer(s, s)


def softmax_grad(x: torch.Tensor, grad_output: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Vector-Jacobian product of softmax: :math:`g^\top J = s \odot (g - \langle g, s\rangle)` along ``dim``."""
    s = softmax(x, dim)
    g = check_tensor(grad_output, "grad_output", floating=True)
    return s * (g - (g * s).sum(dim=dim, keepdim=True))


def log_softmax_grad(x: torch.Tensor, grad_output: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Vector-Jacobian product of log-softmax: :math:`g - s \sum_j g_j` along ``dim``."""
    s = softmax(x, dim)
    g = check_tensor(grad_output, "grad_output", floating=True)
    return g - s * g.sum(dim=dim, keepdim=True)


# --------------------------------------------------------------------------- registry
class Activation(nn.Module):
    """Any registered element-wise activation as an ``nn.Module`` (for ``nn.Sequential``).

    The module computes the registered function, or, where the registry names one
    (:attr:`ActivationSpec.kernel`) and the parameters are the defaults, PyTorch's fused kernel of the
    same function: the same values and gradients, a quarter less time for training the course's small
    networks (ReLU).
    RReLU follows the module's mode: random slopes in ``train()``, the mean slope in ``eval()``.
    """

    def __init__(self, name: str, **params):
        super().__init__()
        spec = get_spec(name)
        if spec.module is not None:
            raise ValueError(f"name={name!r} has its own module class; use get_activation({name!r})")
        unknown = set(params) - set(spec.defaults)
        if unknown:
            raise TypeError(f"{name} got unexpected parameter(s) {sorted(unknown)}; "
                            f"it takes {sorted(spec.defaults) or 'none'}")
        self.name = name
        self.params = {**spec.defaults, **params}
        spec.function(torch.zeros(1), **self._call_params())  # validate the parameters now
        # torch's kernel computes the function with its default parameters only
        self._kernel = spec.kernel if self.params == spec.defaults else None

    def _call_params(self) -> dict:
        if self.name == "rrelu":
            return {**self.params, "training": self.training}
        return self.params

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._kernel is not None:
            return self._kernel(x)
        return get_spec(self.name).function(x, **self._call_params())

    def extra_repr(self) -> str:
        return ", ".join([self.name] + [f"{k}={v}" for k, v in self.params.items()
                                         if v != get_spec(self.name).defaults[k]])

    def __repr__(self) -> str:
        return f"Activation({self.extra_repr()})"


@dataclass(frozen=True)
class ActivationSpec:
    """What the course knows about one activation: function, derivative, formula, defaults."""

    name: str
    function: Callable[..., torch.Tensor]
    derivative: Callable[..., torch.Tensor]
    formula: str
    defaults: dict = field(default_factory=dict)
    module: Callable[..., nn.Module] | None = None
    #: PyTorch's kernel for the same function with the default parameters, used by :class:`Activation`
    #: in training; tested to give the same values and gradients as ``function`` and ``derivative``.
    kernel: Callable[[torch.Tensor], torch.Tensor] | None = None


ACTIVATIONS: dict[str, ActivationSpec] = {
    spec.name: spec
    for spec in [
        ActivationSpec("identity", identity, identity_grad, r"x"),
        ActivationSpec("sigmoid", sigmoid, sigmoid_grad, r"\frac{1}{1+e^{-x}}"),
        ActivationSpec("tanh", tanh, tanh_grad, r"\tanh x"),
        ActivationSpec("relu", relu, relu_grad, r"\max(0, x)", kernel=torch.relu),
        ActivationSpec("leaky_relu", leaky_relu, leaky_relu_grad, r"\max(\alpha x, x)",
                       {"negative_slope": 0.01}),
        ActivationSpec("rrelu", rrelu, rrelu_grad, r"x > 0\ ?\ x : a x,\ a\sim U(l,u)",
                       {"lower": 1 / 8, "upper": 1 / 3}),
        ActivationSpec("prelu", prelu, prelu_grad, r"x > 0\ ?\ x : a x,\ a \text{ learned}",
                       {"init": 0.25}, module=lambda init=0.25: PReLU(1, init)),
        ActivationSpec("elu", elu, elu_grad, r"x > 0\ ?\ x : \alpha(e^x - 1)", {"alpha": 1.0}),
        ActivationSpec("selu", selu, selu_grad, r"\lambda\,\mathrm{ELU}_\alpha(x)"),
        ActivationSpec("gelu", gelu, gelu_grad, r"x\,\Phi(x)", {"approximate": "none"}),
        ActivationSpec("softplus", softplus, softplus_grad, r"\log(1+e^{x})",
                       {"beta": 1.0, "threshold": 20.0}),
    ]
}


def activation_names() -> list[str]:
    """Names of the element-wise activations in the registry (softmax is an output layer, not here)."""
    return list(ACTIVATIONS)


def get_spec(name: str) -> ActivationSpec:
    """The :class:`ActivationSpec` registered under ``name``."""
    check_choice(name, "name", ACTIVATIONS)
    return ACTIVATIONS[name]


def get_activation(name: str, **params) -> nn.Module:
    """Build the activation ``name`` as a module, e.g. ``get_activation("elu", alpha=0.5)``."""
    spec = get_spec(name)
    if spec.module is not None:
        return spec.module(**params)
    return Activation(name, **params)


def evaluate(name: str, x: torch.Tensor, **params) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(phi(x), phi'(x))`` for the registered activation ``name``.

    For PReLU the ``init`` parameter is the (fixed) slope.
    """
    spec = get_spec(name)
    params = {**spec.defaults, **params}
    if name == "prelu":
        weight = torch.tensor([check_number(params.pop("init"), "init")], dtype=x.dtype)
        return prelu(x, weight), prelu_grad(x, weight)
    return spec.function(x, **params), spec.derivative(x, **params)


def _refined_extreme(name, x, y, params, arg) -> float:
    """Extreme value of ``y`` on grid ``x``, re-evaluated on a 1000× finer grid around the grid's best point."""
    i = int(arg(y))
    fine = torch.linspace(float(x[max(i - 1, 0)]), float(x[min(i + 1, len(x) - 1)]), 2001, dtype=x.dtype)
    values = evaluate(name, fine, **params)[0]
    return float(values[arg(values)])


def analyse(name: str, **params) -> dict:
    """Numerical portrait of an activation, computed rather than asserted.

    Returns the range (``-inf``/``inf`` where the function still grows in magnitude between
    :math:`|x| = 10^3` and :math:`10^4`, else the extreme value on :math:`[-10^4, 10^4]`), the
    mean output for standard-normal inputs (is it zero-centred?), the derivative at 0 and at
    ±10, and whether it saturates on each side (derivative below 1e-3 at ±10).
    """
    x = torch.linspace(-1e4, 1e4, 200_001, dtype=torch.float64)
    y, _ = evaluate(name, x, **params)
    far, _ = evaluate(name, torch.tensor([-1e4, -1e3, 1e3, 1e4], dtype=torch.float64), **params)
    z = torch.randn(200_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    mean_out = float(evaluate(name, z, **params)[0].mean())
    _, g = evaluate(name, torch.tensor([-10.0, 0.0, 10.0], dtype=torch.float64), **params)
    g = g + 0.0  # turns -0.0 into 0.0 for display
    return {
        "min": -math.inf if far[0] < far[1] - 1e-3 else _refined_extreme(name, x, y, params, torch.argmin),
        "max": math.inf if far[3] > far[2] + 1e-3 else _refined_extreme(name, x, y, params, torch.argmax),
        "mean on N(0,1)": mean_out,
        "zero-centred": abs(mean_out) < 0.05,
        "grad at -10": float(g[0]),
        "grad at 0": float(g[1]),
        "grad at +10": float(g[2]),
        "saturates left": bool(abs(float(g[0])) < 1e-3),
        "saturates right": bool(abs(float(g[2])) < 1e-3),
    }
