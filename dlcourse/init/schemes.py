"""The variance-scaling schemes: Glorot/Xavier, He/Kaiming and LeCun, uniform and normal, each drawing what its
``torch.nn.init`` counterpart draws."""

from __future__ import annotations

import math

import torch

from .._checks import check_choice, check_positive
from .distributions import _normal_, _target, _uniform_
from .fans import _fan, calculate_gain, compute_fans

__all__ = [
    "xavier_uniform_",
    "xavier_normal_",
    "he_uniform_",
    "he_normal_",
    "lecun_uniform_",
    "lecun_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]


def _check_gain(gain) -> float:
    return check_positive(gain, "gain")


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Glorot/Xavier uniform: :math:`w_{ij} \sim \mathcal U(-r, r)` with
    :math:`r = \text{gain}\cdot\sqrt{\dfrac{6}{\text{fan}_\text{in} + \text{fan}_\text{out}}}`.

    The variance is :math:`r^2/3 = \text{gain}^2 / \text{fan}_\text{avg}`. (Some slides print the
    bound as :math:`\sqrt 6/(\text{fan}_\text{in} + \text{fan}_\text{out})`: that is wrong — the root
    covers the whole fraction.) :math:`r` is computed as :math:`\sqrt3\,\sigma`, the same floating-point
    expression as ``torch.nn.init.xavier_uniform_``, so both draw the same numbers.

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point weight of shape ``(out, in, *kernel)``, filled in place.
    gain : float, default 1.0
        The factor ``gain``; must be > 0.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    tensor = _target(tensor)
    std = _check_gain(gain) * math.sqrt(2.0 / float(sum(compute_fans(tensor))))
    return _uniform_(tensor, math.sqrt(3.0) * std, generator)


def xavier_normal_(tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Glorot/Xavier normal: :math:`w_{ij} \sim \mathcal N\!\left(0,\ \text{gain}^2\,\dfrac{2}{\text{fan}_\text{in} +
    \text{fan}_\text{out}}\right)`, i.e. variance :math:`\text{gain}^2/\text{fan}_\text{avg}`.

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point weight of shape ``(out, in, *kernel)``, filled in place.
    gain : float, default 1.0
        The factor ``gain``; must be > 0.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
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

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point weight of shape ``(out, in, *kernel)``, filled in place.
    gain : float, default ``sqrt(2)``
        The factor ``gain``; must be > 0.
    mode : {"fan_in", "fan_out", "fan_avg"}, default "fan_in"
        The fan in :math:`\sigma`.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    tensor = _target(tensor)
    return _uniform_(tensor, math.sqrt(3.0) * _he_std(tensor, gain, mode), generator)


def he_normal_(
    tensor: torch.Tensor, gain: float = math.sqrt(2.0), mode: str = "fan_in", generator: torch.Generator | None = None
) -> torch.Tensor:
    r"""He/Kaiming normal: :math:`w_{ij} \sim \mathcal N(0, \sigma^2)`, :math:`\sigma = \text{gain}/\sqrt{\text{fan}}`
    (default: :math:`\sigma^2 = 2/\text{fan}_\text{in}`, for ReLU). Same draw as
    ``torch.nn.init.kaiming_normal_`` with the matching gain.

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point weight of shape ``(out, in, *kernel)``, filled in place.
    gain : float, default ``sqrt(2)``
        The factor ``gain``; must be > 0.
    mode : {"fan_in", "fan_out", "fan_avg"}, default "fan_in"
        The fan in :math:`\sigma` (``"fan_in"`` preserves the forward signal, ``"fan_out"`` the backward one).
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    tensor = _target(tensor)
    return _normal_(tensor, _he_std(tensor, gain, mode), generator)


def lecun_uniform_(tensor: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""LeCun uniform: :math:`w_{ij} \sim \mathcal U(-r, r)`, :math:`r = \sqrt{3/\text{fan}_\text{in}}`
    (variance :math:`1/\text{fan}_\text{in}`): He uniform with gain 1, i.e.
    ``kaiming_uniform_(tensor, nonlinearity="linear")``.

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point weight of shape ``(out, in, *kernel)``, filled in place.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    return he_uniform_(tensor, gain=1.0, mode="fan_in", generator=generator)


def lecun_normal_(tensor: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""LeCun normal: :math:`w_{ij} \sim \mathcal N(0, 1/\text{fan}_\text{in})`, the initialization SELU's
    self-normalisation assumes: He normal with gain 1 (``kaiming_normal_(tensor, nonlinearity="linear")``).

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point weight of shape ``(out, in, *kernel)``, filled in place.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
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

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point weight of shape ``(out, in, *kernel)``, filled in place.
    a : float, default 0
        The leaky ReLU's negative slope (``param`` of :func:`calculate_gain`; used for ``"leaky_relu"`` only).
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan divides the variance.
    nonlinearity : str, default "leaky_relu"
        A nonlinearity name for :func:`calculate_gain`.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
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
    r"""``torch.nn.init.kaiming_normal_``: :func:`he_normal_` with ``gain = calculate_gain(nonlinearity, a)``.

    Parameters
    ----------
    tensor : torch.Tensor
        A floating-point weight of shape ``(out, in, *kernel)``, filled in place.
    a : float, default 0
        The leaky ReLU's negative slope (``param`` of :func:`calculate_gain`; used for ``"leaky_relu"`` only).
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan divides the variance.
    nonlinearity : str, default "leaky_relu"
        A nonlinearity name for :func:`calculate_gain`.
    generator : torch.Generator or None, default None
        Seeded generator to draw from (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    check_choice(mode, "mode", ("fan_in", "fan_out"))
    return he_normal_(tensor, gain=calculate_gain(nonlinearity, a), mode=mode, generator=generator)
