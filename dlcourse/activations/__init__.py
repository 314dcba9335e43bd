r"""Activation functions, their analytic derivatives, and a registry to build them by name.

Every function takes a floating-point tensor ``x`` and works element-wise (softmax and
log-softmax along ``dim``). Each ``*_grad`` function returns the derivative
:math:`\varphi'(x)` element-wise, so that the chain rule reads
``grad_input = grad_output * phi_grad(x)``; softmax and log-softmax, whose Jacobians are
not diagonal, instead take ``grad_output`` and return the vector-Jacobian product.

All of them stay finite for ``|x|`` up to ``1e4`` in float32: no branch ever evaluates
``exp`` of a large positive number, even in the half of a ``torch.where`` that is thrown away
(a thrown-away ``inf`` still poisons gradients through ``0 * inf = nan``).

The package: ``elementwise`` (identity, sigmoid, tanh and the input check all the functions share),
``rectifiers`` (ReLU, leaky ReLU, RReLU, PReLU), ``smooth`` (ELU, SELU, GELU, softplus), each with its
derivatives; ``softmax_family`` (softmax, log-softmax, their Jacobian and vector-Jacobian products);
here, the registry that builds them by name (``ACTIVATIONS``, :func:`get_activation`, :class:`Activation`)
and :func:`analyse`.
Import everything from ``dlcourse.activations``.

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

from .._checks import check_choice, check_number
from .elementwise import identity, identity_grad, sigmoid, sigmoid_grad, tanh, tanh_grad
from .rectifiers import (
    PReLU,
    leaky_relu,
    leaky_relu_grad,
    prelu,
    prelu_grad,
    prelu_weight_grad,
    relu,
    relu_grad,
    rrelu,
    rrelu_grad,
    rrelu_slopes,
)
from .smooth import (
    SELU_ALPHA,
    SELU_SCALE,
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    selu,
    selu_grad,
    selu_moments,
    softplus,
    softplus_grad,
)
from .softmax_family import log_softmax, log_softmax_grad, softmax, softmax_grad, softmax_jacobian

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
    "softmax",
    "log_softmax",
    "softmax_jacobian",
    "softmax_grad",
    "log_softmax_grad",
    "Activation",
    "ActivationSpec",
    "ACTIVATIONS",
    "activation_names",
    "get_spec",
    "get_activation",
    "evaluate",
    "analyse",
]


# --------------------------------------------------------------------------- registry
class Activation(nn.Module):
    """Any registered element-wise activation as an ``nn.Module`` (for ``nn.Sequential``).

    The module computes the registered function, or, where the registry names one
    (:attr:`ActivationSpec.kernel`) and the parameters are the defaults, PyTorch's fused kernel of the
    same function: the same values and gradients, a quarter less time for training the course's small
    networks (ReLU).
    RReLU follows the module's mode: random slopes in ``train()``, the mean slope in ``eval()``.

    Parameters
    ----------
    name : str
        A name from :func:`activation_names`, except ``"prelu"`` (it has its own module: :func:`get_activation`).
    **params
        The activation's parameters (those of ``get_spec(name).defaults``); the others keep their defaults.
    """

    def __init__(self, name: str, **params):
        super().__init__()
        spec = get_spec(name)
        if spec.module is not None:
            raise ValueError(f"name={name!r} has its own module class; use get_activation({name!r})")
        unknown = set(params) - set(spec.defaults)
        if unknown:
            raise TypeError(
                f"{name} got unexpected parameter(s) {sorted(unknown)}; it takes {sorted(spec.defaults) or 'none'}"
            )
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
        """Apply the activation element-wise.

        Parameters
        ----------
        x : torch.Tensor
            Pre-activations: a floating-point tensor of any shape.

        Returns
        -------
        torch.Tensor
            The activation of ``x``, same shape as ``x``.
        """
        if self._kernel is not None:
            return self._kernel(x)
        return get_spec(self.name).function(x, **self._call_params())

    def extra_repr(self) -> str:
        """The text inside the module's ``repr``.

        Returns
        -------
        str
            The name, then the parameters that differ from their defaults, e.g. ``"leaky_relu, negative_slope=0.1"``.
        """
        return ", ".join(
            [self.name] + [f"{k}={v}" for k, v in self.params.items() if v != get_spec(self.name).defaults[k]]
        )

    def __repr__(self) -> str:
        return f"Activation({self.extra_repr()})"


@dataclass(frozen=True)
class ActivationSpec:
    """What the course knows about one activation: function, derivative, formula, defaults.

    Parameters
    ----------
    name : str
        The name it is registered under in ``ACTIVATIONS``.
    function : callable
        ``function(x, **defaults)``: the activation, element-wise.
    derivative : callable
        ``derivative(x, **defaults)``: its derivative, element-wise.
    formula : str
        The formula in LaTeX, for tables.
    defaults : dict, default {}
        The activation's parameters and their default values.
    module : callable or None, default None
        ``module(**params)`` builds the activation's own module class (PReLU, whose slope is learned); None:
        :class:`Activation` wraps ``function``.
    kernel : callable or None, default None
        PyTorch's kernel for the same function with the default parameters (used by :class:`Activation`).
    """

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
        ActivationSpec("leaky_relu", leaky_relu, leaky_relu_grad, r"\max(\alpha x, x)", {"negative_slope": 0.01}),
        ActivationSpec(
            "rrelu", rrelu, rrelu_grad, r"x > 0\ ?\ x : a x,\ a\sim U(l,u)", {"lower": 1 / 8, "upper": 1 / 3}
        ),
        ActivationSpec(
            "prelu",
            prelu,
            prelu_grad,
            r"x > 0\ ?\ x : a x,\ a \text{ learned}",
            {"init": 0.25},
            module=lambda init=0.25: PReLU(1, init),
        ),
        ActivationSpec("elu", elu, elu_grad, r"x > 0\ ?\ x : \alpha(e^x - 1)", {"alpha": 1.0}),
        ActivationSpec("selu", selu, selu_grad, r"\lambda\,\mathrm{ELU}_\alpha(x)"),
        ActivationSpec("gelu", gelu, gelu_grad, r"x\,\Phi(x)", {"approximate": "none"}),
        ActivationSpec("softplus", softplus, softplus_grad, r"\log(1+e^{x})", {"beta": 1.0, "threshold": 20.0}),
    ]
}


def activation_names() -> list[str]:
    """Names of the element-wise activations in the registry (softmax is an output layer, not here).

    Returns
    -------
    list of str
        The keys of ``ACTIVATIONS``, in registration order.
    """
    return list(ACTIVATIONS)


def get_spec(name: str) -> ActivationSpec:
    """The :class:`ActivationSpec` registered under ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`activation_names`; any other raises ``ValueError``.

    Returns
    -------
    ActivationSpec
        The registry entry.
    """
    check_choice(name, "name", ACTIVATIONS)
    return ACTIVATIONS[name]


def get_activation(name: str, **params) -> nn.Module:
    """Build the activation ``name`` as a module, e.g. ``get_activation("elu", alpha=0.5)``.

    Parameters
    ----------
    name : str
        A name from :func:`activation_names`.
    **params
        The activation's parameters (those of ``get_spec(name).defaults``; ``init`` for PReLU).

    Returns
    -------
    torch.nn.Module
        A :class:`PReLU` (one learned slope) for ``"prelu"``, an :class:`Activation` otherwise.
    """
    spec = get_spec(name)
    if spec.module is not None:
        return spec.module(**params)
    return Activation(name, **params)


def evaluate(name: str, x: torch.Tensor, **params) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(phi(x), phi'(x))`` for the registered activation ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`activation_names`.
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    **params
        The activation's parameters (unnamed ones keep their defaults). For PReLU the ``init`` parameter
        is the (fixed) slope.

    Returns
    -------
    tuple of torch.Tensor
        ``(phi(x), phi'(x))``, each the shape of ``x``.
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

    Parameters
    ----------
    name : str
        A name from :func:`activation_names`.
    **params
        The activation's parameters, as for :func:`evaluate`.

    Returns
    -------
    dict
        Keys ``"min"``, ``"max"``, ``"mean on N(0,1)"``, ``"zero-centred"`` (that mean below 0.05 in
        magnitude), ``"grad at -10"``, ``"grad at 0"``, ``"grad at +10"``, ``"saturates left"`` and
        ``"saturates right"``.
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
