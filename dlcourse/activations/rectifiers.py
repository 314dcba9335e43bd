r"""The ReLU family, piecewise-linear activations with their analytic derivatives: ReLU, leaky ReLU,
randomized leaky ReLU (RReLU) and parametric ReLU (PReLU, whose slope is learned; also as a module).

Examples
--------
>>> import torch
>>> x = torch.tensor([-2.0, 0.0, 3.0])
>>> relu(x), leaky_relu(x, 0.1), leaky_relu_grad(x, 0.1)
(tensor([0., 0., 3.]), tensor([-0.2000,  0.0000,  3.0000]), tensor([0.1000, 0.1000, 1.0000]))
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import check_nonnegative, check_number, check_positive_int, check_tensor
from .elementwise import _x

__all__ = [
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
]


# --------------------------------------------------------------------------- ReLU family
def relu(x: torch.Tensor) -> torch.Tensor:
    r"""Rectified linear unit :math:`\operatorname{ReLU}(x) = \max(0, x)`.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        ``relu(x)``, same shape as ``x``.
    """
    x = _x(x)
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\operatorname{ReLU}'(x) = 1` if :math:`x > 0` else 0 (0 at :math:`x = 0`, as in PyTorch).

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.

    Returns
    -------
    torch.Tensor
        The derivative (0 or 1) at ``x``, same shape and dtype as ``x``.
    """
    x = _x(x)
    return (x > 0).to(x.dtype)


def _check_slope(negative_slope) -> float:
    return check_nonnegative(negative_slope, "negative_slope")


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    r"""Leaky ReLU :math:`\varphi(x) = x` if :math:`x > 0` else :math:`\alpha x`, with
    :math:`\alpha` = ``negative_slope`` :math:`\ge 0` (typically 0.01 to 0.3).

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    negative_slope : float, default 0.01
        The slope :math:`\alpha` for ``x <= 0``; must be >= 0.

    Returns
    -------
    torch.Tensor
        ``leaky_relu(x)``, same shape as ``x``.
    """
    x = _x(x)
    alpha = _check_slope(negative_slope)
    return torch.where(x > 0, x, alpha * x)


def leaky_relu_grad(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    r""":math:`\varphi'(x) = 1` if :math:`x > 0` else :math:`\alpha`.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    negative_slope : float, default 0.01
        The slope :math:`\alpha` for ``x <= 0``; must be >= 0.

    Returns
    -------
    torch.Tensor
        The derivative at ``x``, same shape as ``x``.
    """
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

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape (only its shape, dtype and device are used).
    lower, upper : float
        Range of the slopes (defaults 1/8 and 1/3); ``0 <= lower <= upper``.
    training : bool, default False
        Draw random slopes (True) or use the mean slope (False).
    generator : torch.Generator or None, default None
        CPU generator for the training draw (None: PyTorch's global one); unused in evaluation.

    Returns
    -------
    torch.Tensor
        One slope per element, same shape, dtype and device as ``x``.
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

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    lower, upper : float
        Range of the random slopes (defaults 1/8 and 1/3); ``0 <= lower <= upper``.
    training : bool, default False
        Random slopes (True) or the mean slope (False).
    generator : torch.Generator or None, default None
        CPU generator for the training draw (None: PyTorch's global one).

    Returns
    -------
    torch.Tensor
        ``rrelu(x)``, same shape as ``x``.
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
    r""":math:`\varphi'(x) = 1` if :math:`x > 0` else the slope :math:`a` used in the forward pass.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations: a floating-point tensor of any shape.
    lower, upper : float
        Range of the random slopes (defaults 1/8 and 1/3); ``0 <= lower <= upper``.
    training : bool, default False
        Random slopes (True) or the mean slope (False).
    generator : torch.Generator or None, default None
        CPU generator for the training draw; in the same state as for :func:`rrelu`, it gives the same slopes.

    Returns
    -------
    torch.Tensor
        The derivative at ``x``, same shape as ``x``.
    """
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
    where the slope :math:`a` is *learned* (one, or one per channel along dim 1).

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations, floating point: any shape for one slope, ``(N, C, *)`` for ``C`` slopes.
    weight : torch.Tensor
        The slopes :math:`a`: a 1-D floating-point tensor of 1 or ``C = x.shape[1]`` elements.

    Returns
    -------
    torch.Tensor
        ``prelu(x)``, same shape as ``x``.
    """
    x = _x(x)
    a = _prelu_weight_view(x, weight)
    return torch.where(x > 0, x, a * x)


def prelu_grad(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    r""":math:`\partial\varphi/\partial x = 1` if :math:`x > 0` else :math:`a`; the slope's own gradient
    is :math:`\partial\varphi/\partial a = x` on the negative side, 0 elsewhere (see :func:`prelu_weight_grad`).

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations, floating point: any shape for one slope, ``(N, C, *)`` for ``C`` slopes.
    weight : torch.Tensor
        The slopes :math:`a`: a 1-D floating-point tensor of 1 or ``C = x.shape[1]`` elements.

    Returns
    -------
    torch.Tensor
        :math:`\partial\varphi/\partial x` at ``x``, same shape as ``x``.
    """
    x = _x(x)
    a = _prelu_weight_view(x, weight)
    return torch.where(x > 0, torch.ones_like(x), a * torch.ones_like(x))


def prelu_weight_grad(x: torch.Tensor, weight: torch.Tensor, grad_output: torch.Tensor) -> torch.Tensor:
    r"""Gradient of the loss w.r.t. PReLU's slopes: :math:`\sum \text{grad\_output}\cdot \min(x, 0)`,
    summed over every position that shares a slope.

    Parameters
    ----------
    x : torch.Tensor
        Pre-activations, floating point: any shape for one slope, ``(N, C, *)`` for ``C`` slopes.
    weight : torch.Tensor
        The slopes :math:`a`: a 1-D floating-point tensor of 1 or ``C = x.shape[1]`` elements.
    grad_output : torch.Tensor
        :math:`\partial L/\partial\varphi(x)`, floating point, same shape as ``x``.

    Returns
    -------
    torch.Tensor
        The gradient w.r.t. ``weight``, same shape as ``weight``: ``(1,)`` or ``(C,)``.
    """
    x = _x(x)
    a = _prelu_weight_view(x, weight)
    contrib = check_tensor(grad_output, "grad_output", floating=True) * torch.where(x > 0, torch.zeros_like(x), x)
    if a.ndim == 0:
        return contrib.sum().reshape(1)
    dims = [d for d in range(x.ndim) if d != 1]
    return contrib.sum(dim=dims)


class PReLU(nn.Module):
    r"""Parametric ReLU as a module: :math:`\varphi(x) = \max(0, x) + a \min(0, x)` with learnable :math:`a`.

    Parameters
    ----------
    num_parameters : int, default 1
        1 (one slope shared by all units) or the number of channels (``x.shape[1]``).
    init : float, default 0.25
        The value the slopes start at (0.25, as in He et al. 2015 and PyTorch).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25):
        super().__init__()
        num_parameters = check_positive_int(num_parameters, "num_parameters")
        init = check_number(init, "init")
        self.weight = nn.Parameter(torch.full((num_parameters,), init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply PReLU with the module's slopes ``self.weight``.

        Parameters
        ----------
        x : torch.Tensor
            Pre-activations, floating point: any shape for one slope, ``(N, num_parameters, *)`` otherwise.

        Returns
        -------
        torch.Tensor
            ``prelu(x, self.weight)``, same shape as ``x``.
        """
        return prelu(x, self.weight)

    def extra_repr(self) -> str:
        """The text inside the module's ``repr``.

        Returns
        -------
        str
            ``"num_parameters=<number of slopes>"``.
        """
        return f"num_parameters={self.weight.numel()}"
