"""The plain initializers: constants, normal, uniform, truncated normal and orthogonal draws, in place and from
an optional seeded generator, with the draw helpers the scaled schemes share."""

from __future__ import annotations

import math

import torch

from .._checks import check_nonnegative, check_number, check_positive, check_tensor

__all__ = ["constant_", "zeros_", "ones_", "normal_", "uniform_", "trunc_normal_", "orthogonal_"]


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

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point tensor of any shape, filled in place.
    val : float
        The value :math:`c`.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    tensor = _target(tensor)
    val = check_number(val, "val")
    with torch.no_grad():
        return tensor.fill_(val)


def zeros_(tensor: torch.Tensor) -> torch.Tensor:
    r"""Fill ``tensor`` with zeros in place (:math:`w_{ij} = 0`); the usual start for biases.

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point tensor of any shape, filled in place.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    return constant_(tensor, 0.0)


def ones_(tensor: torch.Tensor) -> torch.Tensor:
    r"""Fill ``tensor`` with ones in place (:math:`w_{ij} = 1`); the start of a normalization layer's scale :math:`\gamma`.

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point tensor of any shape, filled in place.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    return constant_(tensor, 1.0)


def normal_(
    tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    r"""Draw :math:`w_{ij} \sim \mathcal N(\text{mean}, \text{std}^2)` in place (``torch.nn.init.normal_``'s
    signature and draw).

    The chapters' "small random" initialization is ``normal_(w, std=0.01)``. Its standard
    deviation ignores the layer's size, which is why it fails in deep networks: each layer
    multiplies the signal's standard deviation by about :math:`\text{std}\cdot\sqrt{\text{fan}_\text{in}}`.

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point tensor of any shape, filled in place.
    mean : float, default 0.0
        The mean.
    std : float, default 1.0
        The standard deviation; must be >= 0.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    tensor = _target(tensor)
    mean = check_number(mean, "mean")
    std = check_nonnegative(std, "std")
    return _normal_(tensor, std, generator, mean)


def uniform_(
    tensor: torch.Tensor, a: float = 0.0, b: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    r"""Draw :math:`w_{ij} \sim \mathcal U(a, b)` in place (``torch.nn.init.uniform_``); variance :math:`(b-a)^2/12`.

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point tensor of any shape, filled in place.
    a, b : float
        The interval's bounds (defaults 0.0 and 1.0); ``b >= a``.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
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

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point tensor of any shape, filled in place.
    mean : float, default 0.0
        The mean :math:`\mu`.
    std : float, default 1.0
        The standard deviation :math:`\sigma`; must be > 0.
    a, b : float
        The interval's bounds (defaults -2.0 and 2.0), ``a < b``: absolute bounds, not multiples of ``std``.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
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

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point tensor with at least 2 dimensions, filled in place.
    gain : float, default 1
        The scale factor; must be >= 0.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
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
