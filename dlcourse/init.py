r"""Weight initialization: the first tool against unstable signals (gradient clipping, the other one,
is in :mod:`dlcourse.clipping`).

A layer computes :math:`z = W x + b`. With independent, zero-mean weights of variance
:math:`\sigma^2` and inputs of variance :math:`v`, each output has variance
:math:`\text{fan}_\text{in}\,\sigma^2 v`: the forward signal keeps its scale only if
:math:`\sigma^2 = 1/\text{fan}_\text{in}` (times a gain that undoes what the activation
removes). Back-propagation multiplies by :math:`W^\top`, so the backward signal needs
:math:`\sigma^2 = 1/\text{fan}_\text{out}`. The classic schemes follow from this:

===========  ==============================================  =============================
scheme       variance :math:`\sigma^2`                        activations
===========  ==============================================  =============================
Glorot       :math:`1/\text{fan}_\text{avg}`                  none, tanh, sigmoid, softmax
He           :math:`2/\text{fan}_\text{in}`                   ReLU and its variants
LeCun        :math:`1/\text{fan}_\text{in}`                   SELU
===========  ==============================================  =============================

with :math:`\text{fan}_\text{avg} = (\text{fan}_\text{in} + \text{fan}_\text{out})/2`. A uniform
distribution :math:`\mathcal U(-r, r)` has variance :math:`r^2/3`, so the uniform variant of each
scheme uses :math:`r = \sqrt{3\sigma^2}`; for Glorot, :math:`r = \sqrt{6/(\text{fan}_\text{in} +
\text{fan}_\text{out})}` (the square root covers the whole fraction).

Every initializer works in place on a weight tensor, takes an optional seeded
``torch.Generator`` and draws exactly what its ``torch.nn.init`` counterpart draws from the same
generator state.

Examples
--------
>>> import torch
>>> w = torch.empty(300, 100)            # an nn.Linear(100, 300) weight: (fan_out, fan_in)
>>> compute_fans(w)
(100, 300)
>>> round(xavier_uniform_(w, generator=torch.Generator().manual_seed(0)).abs().max().item(), 4) <= 0.1225
True
>>> recommended_init("relu")
'he_normal'
"""

from __future__ import annotations

import math
import numbers
from typing import Callable

import torch
from torch import nn

from ._checks import check_choice, check_nonnegative, check_number, check_positive, check_tensor
from .activations import activation_names
from .clipping import add_gradient_clipping, clip_grad_norm_, clip_grad_value_  # noqa: F401 - the names notebooks and labs call
from .diagnostics import record_layers

__all__ = [
    "WEIGHT_LAYERS",
    "receptive_field_size",
    "compute_fans",
    "fan_in",
    "fan_out",
    "fan_avg",
    "constant_",
    "zeros_",
    "ones_",
    "normal_",
    "uniform_",
    "trunc_normal_",
    "orthogonal_",
    "calculate_gain",
    "xavier_uniform_",
    "xavier_normal_",
    "he_uniform_",
    "he_normal_",
    "lecun_uniform_",
    "lecun_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "INITIALIZERS",
    "recommended_init",
    "init_model",
    "layer_stds",
]

#: Layers whose weights :func:`init_model` initialises (the weight layout is ``(out, in, *kernel)``).
WEIGHT_LAYERS: tuple[type, ...] = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)

_MODES = ("fan_in", "fan_out", "fan_avg")


# --------------------------------------------------------------------------- fans
def _weight(tensor) -> torch.Tensor:
    if isinstance(tensor, nn.Module) and isinstance(getattr(tensor, "weight", None), torch.Tensor):
        tensor = tensor.weight
    tensor = check_tensor(tensor, "tensor")
    if tensor.ndim < 2:
        raise ValueError(
            f"tensor must have at least 2 dimensions (a Linear or Conv weight) to have fans, "
            f"got shape {tuple(tensor.shape)}; biases and other 1-D tensors have no fan_in/fan_out"
        )
    return tensor


def receptive_field_size(tensor) -> int:
    r"""Number of input positions one kernel sees: :math:`\prod_{i \ge 2} \text{shape}_i` (1 for a Linear weight).

    ``tensor`` is a weight tensor or a layer with a ``.weight``.
    """
    return math.prod(_weight(tensor).shape[2:])


def compute_fans(tensor) -> tuple[int, int]:
    r"""``(fan_in, fan_out)`` of a Linear or Conv weight of shape ``(out, in, *kernel)``.

    :math:`\text{fan}_\text{in} = \text{in} \cdot k` and :math:`\text{fan}_\text{out} = \text{out}
    \cdot k`, where :math:`k` is the receptive field size (:func:`receptive_field_size`, e.g.
    :math:`3 \times 3 = 9` for a 3×3 convolution). A Conv2d(16, 32, 3) weight has shape
    ``(32, 16, 3, 3)``, fan-in :math:`16\cdot 9 = 144` and fan-out :math:`32 \cdot 9 = 288`.
    """
    w = _weight(tensor)
    k = receptive_field_size(w)
    return w.shape[1] * k, w.shape[0] * k


def fan_in(tensor) -> int:
    r""":math:`\text{fan}_\text{in}`: inputs that feed one output unit (see :func:`compute_fans`)."""
    return compute_fans(tensor)[0]


def fan_out(tensor) -> int:
    r""":math:`\text{fan}_\text{out}`: output units that one input feeds (see :func:`compute_fans`)."""
    return compute_fans(tensor)[1]


def fan_avg(tensor) -> float:
    r""":math:`\text{fan}_\text{avg} = (\text{fan}_\text{in} + \text{fan}_\text{out}) / 2`, Glorot's compromise."""
    fi, fo = compute_fans(tensor)
    return (fi + fo) / 2


def _fan(tensor, mode: str) -> float:
    check_choice(mode, "mode", _MODES)
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": fan_avg}[mode](tensor)


# --------------------------------------------------------------------------- initializers
def _target(tensor) -> torch.Tensor:
    tensor = check_tensor(tensor, "tensor", floating=True)
    return tensor


def _generator(generator):
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    return generator


@torch.no_grad()
def _uniform_(tensor: torch.Tensor, bound: float, generator) -> torch.Tensor:
    return tensor.uniform_(-bound, bound, generator=_generator(generator))


@torch.no_grad()
def _normal_(tensor: torch.Tensor, std: float, generator, mean: float = 0.0) -> torch.Tensor:
    return tensor.normal_(mean, std, generator=_generator(generator))


def constant_(tensor: torch.Tensor, val: float) -> torch.Tensor:
    r"""Fill ``tensor`` with ``val`` in place: :math:`w_{ij} = c`.

    Every unit of a layer then computes the same function and receives the same gradient, so
    the units stay identical for ever (the symmetry problem). Fine for biases, never for weights.
    """
    tensor = _target(tensor)
    val = check_number(val, "val")
    with torch.no_grad():
        return tensor.fill_(val)


def zeros_(tensor: torch.Tensor) -> torch.Tensor:
    r"""Fill ``tensor`` with zeros in place (:math:`w_{ij} = 0`); the usual start for biases."""
    return constant_(tensor, 0.0)


def ones_(tensor: torch.Tensor) -> torch.Tensor:
    r"""Fill ``tensor`` with ones in place (:math:`w_{ij} = 1`); the start of a normalization layer's scale :math:`\gamma`."""
    return constant_(tensor, 1.0)


def normal_(
    tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    r"""Draw :math:`w_{ij} \sim \mathcal N(\text{mean}, \text{std}^2)` in place (``torch.nn.init.normal_``'s
    signature and draw).

    The chapters' "small random" initialization is ``normal_(w, std=0.01)``. Its standard
    deviation ignores the layer's size, which is why it fails in deep networks: each layer
    multiplies the signal's standard deviation by about :math:`\text{std}\cdot\sqrt{\text{fan}_\text{in}}`.
    """
    tensor = _target(tensor)
    mean = check_number(mean, "mean")
    std = check_nonnegative(std, "std")
    return _normal_(tensor, std, generator, mean)


def uniform_(
    tensor: torch.Tensor, a: float = 0.0, b: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    r"""Draw :math:`w_{ij} \sim \mathcal U(a, b)` in place (``torch.nn.init.uniform_``); variance :math:`(b-a)^2/12`."""
    tensor = _target(tensor)
    a, b = check_number(a, "a"), check_number(b, "b")
    if b < a:
        raise ValueError(f"b must be >= a, got a={a}, b={b}")
    with torch.no_grad():
        return tensor.uniform_(a, b, generator=_generator(generator))


def trunc_normal_(
    tensor: torch.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Draw from :math:`\mathcal N(\mu, \sigma^2)` truncated to :math:`[a, b]`, in place, by rejection
    (the same draws as ``torch.nn.init.trunc_normal_`` in torch 2.13; older versions sample by inverse CDF).

    With :math:`\Phi` the standard normal CDF, the interval holds the mass
    :math:`p = \Phi(\frac{b-\mu}{\sigma}) - \Phi(\frac{a-\mu}{\sigma})`.

    * :math:`p > 0.3`: draw :math:`w \sim \mathcal N(\mu, \sigma^2)` and draw again every value outside
      :math:`[a, b]` until none is left (on average :math:`1/p` rounds per value);
    * otherwise: propose :math:`w \sim \mathcal U(a, b)` and accept it with probability
      :math:`\exp\big(-\frac{(w-\mu)^2 - (c-\mu)^2}{2\sigma^2}\big)`, :math:`c` the point of
      :math:`[a, b]` closest to :math:`\mu` (the density relative to its peak on the interval).

    ``a`` and ``b`` are absolute bounds, not multiples of ``std``.
    """
    tensor = _target(tensor)
    mean, std = check_number(mean, "mean"), check_positive(std, "std")
    a, b = check_number(a, "a"), check_number(b, "b")
    if not a < b:
        raise ValueError(f"b must be > a, got a={a}, b={b}")
    generator = _generator(generator)
    cdf = lambda z: (1.0 + math.erf(z / math.sqrt(2.0))) / 2.0  # noqa: E731
    with torch.no_grad():
        if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
            low, high = tensor.new_tensor(a).item(), tensor.new_tensor(b).item()  # the bounds in the tensor's dtype
            result = tensor.normal_(mean, std, generator=generator)
            while (outside := (result < low) | (result > high)).any():
                result = torch.where(outside, torch.empty_like(result).normal_(mean, std, generator=generator), result)
            return tensor.copy_(result)
        log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2
        log_density = lambda w: ((w - mean) / std) ** 2 * -0.5 - log_peak  # noqa: E731
        result = tensor.uniform_(a, b, generator=generator).clone()
        pending = torch.empty_like(tensor).uniform_(generator=generator).log_() > log_density(result)
        while pending.any():
            candidates = torch.empty_like(tensor).uniform_(a, b, generator=generator)
            result = torch.where(pending, candidates, result)
            accept_draw = torch.empty_like(tensor).uniform_(generator=generator).log_()
            pending = torch.where(pending, accept_draw > log_density(candidates), pending)
        return tensor.copy_(result)


def orthogonal_(tensor: torch.Tensor, gain: float = 1, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""A (semi-)orthogonal matrix times ``gain``, in place (Saxe et al., 2014; ``torch.nn.init.orthogonal_``).

    The tensor is viewed as a :math:`\text{rows}\times\text{cols}` matrix (``tensor.shape[0]`` rows);
    a Gaussian matrix :math:`A` (transposed if it is wide) is factored :math:`A = QR` and
    :math:`W = Q\,\operatorname{diag}(\operatorname{sign} R_{ii})`, which makes the draw uniform over
    orthogonal matrices. All singular values are 1: :math:`\|Wx\| = \|x\|` for a tall :math:`W`, so
    a deep *linear* network keeps the norm of its signal exactly.
    """
    tensor = _target(tensor)
    gain = check_nonnegative(gain, "gain")
    if tensor.ndim < 2:
        raise ValueError(f"tensor must have 2 or more dimensions, got shape {tuple(tensor.shape)}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = tensor.new_empty((rows, cols)).normal_(0, 1, generator=_generator(generator))
    if rows < cols:
        flat.t_()
    q, r = torch.linalg.qr(flat)
    q *= torch.diag(r, 0).sign()
    if rows < cols:
        q.t_()
    with torch.no_grad():
        tensor.view_as(q).copy_(q)
        return tensor.mul_(gain)


#: The gain :math:`g` of :func:`calculate_gain`: the factor that restores unit variance after a nonlinearity.
_GAINS = {
    "linear": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The recommended gain for a nonlinearity (``torch.nn.init.calculate_gain``).

    ===================  =======================================
    nonlinearity         gain
    ===================  =======================================
    linear, conv*        :math:`1`
    sigmoid              :math:`1`
    tanh                 :math:`5/3`
    relu                 :math:`\sqrt 2`
    leaky_relu           :math:`\sqrt{2/(1 + a^2)}`, :math:`a` = ``param`` (default 0.01)
    selu                 :math:`3/4`
    ===================  =======================================
    """
    check_choice(nonlinearity, "nonlinearity", list(_GAINS) + ["leaky_relu"])
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, numbers.Real):
            raise ValueError(f"param must be a number (the negative slope), got {param!r}")
        return math.sqrt(2.0 / (1 + float(slope) ** 2))
    return _GAINS[nonlinearity]


def _check_gain(gain) -> float:
    return check_positive(gain, "gain")


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Glorot/Xavier uniform: :math:`w_{ij} \sim \mathcal U(-r, r)` with
    :math:`r = \text{gain}\cdot\sqrt{\dfrac{6}{\text{fan}_\text{in} + \text{fan}_\text{out}}}`.

    The variance is :math:`r^2/3 = \text{gain}^2 / \text{fan}_\text{avg}`. (Some slides print the
    bound as :math:`\sqrt 6/(\text{fan}_\text{in} + \text{fan}_\text{out})`: that is wrong — the root
    covers the whole fraction.) :math:`r` is computed as :math:`\sqrt3\,\sigma`, the same floating-point
    expression as ``torch.nn.init.xavier_uniform_``, so both draw the same numbers.
    """
    tensor = _target(tensor)
    std = _check_gain(gain) * math.sqrt(2.0 / float(sum(compute_fans(tensor))))
    return _uniform_(tensor, math.sqrt(3.0) * std, generator)


def xavier_normal_(tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Glorot/Xavier normal: :math:`w_{ij} \sim \mathcal N\!\left(0,\ \text{gain}^2\,\dfrac{2}{\text{fan}_\text{in} +
    \text{fan}_\text{out}}\right)`, i.e. variance :math:`\text{gain}^2/\text{fan}_\text{avg}`."""
    tensor = _target(tensor)
    std = _check_gain(gain) * math.sqrt(2.0 / float(sum(compute_fans(tensor))))
    return _normal_(tensor, std, generator)


def _he_std(tensor, gain, mode) -> float:
    return _check_gain(gain) / math.sqrt(_fan(tensor, mode))


def he_uniform_(
    tensor: torch.Tensor, gain: float = math.sqrt(2.0), mode: str = "fan_in", generator: torch.Generator | None = None
) -> torch.Tensor:
    r"""He/Kaiming uniform: :math:`w_{ij} \sim \mathcal U(-r, r)`,
    :math:`r = \sqrt3\,\sigma`, :math:`\sigma = \text{gain}/\sqrt{\text{fan}}`.

    ``gain`` is :math:`\sqrt 2` for ReLU (variance :math:`2/\text{fan}_\text{in}`), and
    :math:`\sqrt{2/(1 + a^2)}` for a leaky ReLU of slope :math:`a`; ``mode`` picks the fan
    (``"fan_in"`` preserves the forward signal, ``"fan_out"`` the backward one). Same draw as
    ``torch.nn.init.kaiming_uniform_(tensor, a, mode, nonlinearity)`` with the matching gain.
    """
    tensor = _target(tensor)
    return _uniform_(tensor, math.sqrt(3.0) * _he_std(tensor, gain, mode), generator)


def he_normal_(
    tensor: torch.Tensor, gain: float = math.sqrt(2.0), mode: str = "fan_in", generator: torch.Generator | None = None
) -> torch.Tensor:
    r"""He/Kaiming normal: :math:`w_{ij} \sim \mathcal N(0, \sigma^2)`, :math:`\sigma = \text{gain}/\sqrt{\text{fan}}`
    (default: :math:`\sigma^2 = 2/\text{fan}_\text{in}`, for ReLU). Same draw as
    ``torch.nn.init.kaiming_normal_`` with the matching gain."""
    tensor = _target(tensor)
    return _normal_(tensor, _he_std(tensor, gain, mode), generator)


def lecun_uniform_(tensor: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""LeCun uniform: :math:`w_{ij} \sim \mathcal U(-r, r)`, :math:`r = \sqrt{3/\text{fan}_\text{in}}`
    (variance :math:`1/\text{fan}_\text{in}`): He uniform with gain 1, i.e.
    ``kaiming_uniform_(tensor, nonlinearity="linear")``."""
    return he_uniform_(tensor, gain=1.0, mode="fan_in", generator=generator)


def lecun_normal_(tensor: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""LeCun normal: :math:`w_{ij} \sim \mathcal N(0, 1/\text{fan}_\text{in})`, the initialization SELU's
    self-normalisation assumes: He normal with gain 1 (``kaiming_normal_(tensor, nonlinearity="linear")``)."""
    return he_normal_(tensor, gain=1.0, mode="fan_in", generator=generator)


def kaiming_uniform_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""``torch.nn.init.kaiming_uniform_``: :func:`he_uniform_` with ``gain = calculate_gain(nonlinearity, a)``.

    With the defaults (leaky ReLU of slope :math:`a = 0`) the gain is :math:`\sqrt 2`, He's ReLU value.
    """
    check_choice(mode, "mode", ("fan_in", "fan_out"))
    return he_uniform_(tensor, gain=calculate_gain(nonlinearity, a), mode=mode, generator=generator)


def kaiming_normal_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""``torch.nn.init.kaiming_normal_``: :func:`he_normal_` with ``gain = calculate_gain(nonlinearity, a)``."""
    check_choice(mode, "mode", ("fan_in", "fan_out"))
    return he_normal_(tensor, gain=calculate_gain(nonlinearity, a), mode=mode, generator=generator)


#: The course's initializers by scheme name (what :func:`init_model` accepts as a string).
#: :meta hide-value:
INITIALIZERS: dict[str, Callable[..., torch.Tensor]] = {
    "zeros": zeros_,
    "normal": normal_,
    "xavier_uniform": xavier_uniform_,
    "xavier_normal": xavier_normal_,
    "he_uniform": he_uniform_,
    "he_normal": he_normal_,
    "lecun_uniform": lecun_uniform_,
    "lecun_normal": lecun_normal_,
}

_FAMILY = {"identity": "xavier", "sigmoid": "xavier", "tanh": "xavier", "softmax": "xavier", "selu": "lecun"}


def recommended_init(activation_name: str, distribution: str = "normal") -> str:
    """The scheme that suits an activation (Glorot / He / LeCun table), as a name for :func:`init_model`.

    Glorot (``xavier``) for identity, sigmoid, tanh and softmax; LeCun for SELU; He for ReLU and
    its variants (leaky ReLU, RReLU, PReLU, ELU, GELU, softplus). ``distribution`` is
    ``"normal"`` or ``"uniform"``.
    """
    check_choice(activation_name, "activation_name", activation_names() + ["softmax"])
    check_choice(distribution, "distribution", ("normal", "uniform"))
    return f"{_FAMILY.get(activation_name, 'he')}_{distribution}"


def init_model(
    model: nn.Module, scheme="xavier_uniform", *, generator: torch.Generator | None = None, **kwargs
) -> nn.Module:
    """Initialise the weight of every Linear/Conv layer of ``model`` with ``scheme`` and zero its bias.

    ``scheme`` is a name from :data:`INITIALIZERS` (extra keyword arguments, e.g. ``std=1.0``
    or ``gain=...``, go to the initializer, with ``generator``) or a callable
    ``weight -> weight`` that works in place. Layers are visited in ``model.modules()`` order,
    so a seeded generator makes the whole model reproducible. Returns ``model``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if callable(scheme):
        if kwargs or generator is not None:
            raise TypeError(
                "generator and keyword arguments only go with a scheme name; bind them into the callable instead"
            )
        fn = scheme
    else:
        name = check_choice(scheme, "scheme", INITIALIZERS)
        extra = dict(kwargs)
        if name != "zeros":
            extra["generator"] = generator
        fn = lambda w: INITIALIZERS[name](w, **extra)  # noqa: E731
    for module in model.modules():
        if isinstance(module, WEIGHT_LAYERS):
            fn(module.weight)
            if module.bias is not None:
                zeros_(module.bias)
    return model


# --------------------------------------------------------------------------- per-layer statistics
def layer_stds(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor | None = None, *, which: str = "output"
) -> list[float]:
    r"""Standard deviation of each activation layer's output (``which="output"``) or of the loss's
    gradient with respect to it (``which="grad"``, needs targets ``y``), first layer first.

    A thin summary of :func:`dlcourse.diagnostics.record_layers`: a well-initialised network keeps
    these numbers roughly constant from layer to layer.
    """
    check_choice(which, "which", ("output", "grad"))
    if which == "grad" and y is None:
        raise ValueError("y must be given to record gradients (which='grad')")
    records = record_layers(model, X, y)
    return [getattr(r, which).std().item() for r in records]
