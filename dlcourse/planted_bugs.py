"""A healthy network and the same network with one planted bug, for the sanity checks of chapter 7.

Bugs in deep-learning code rarely crash: they make training a little worse, and tuning hides them.
Chapter 7 runs each sanity check of :mod:`dlcourse.diagnostics` twice, on a healthy network and on
the same network with one bug planted, to show that the check passes on the first and fails on the
second. This module holds both. :func:`healthy_net` is the chapter's small MLP for the 8×8 digits
(64 inputs, 10 classes); each bug below is paired with the check that catches it:

==========================================  ==================================================================
planted bug                                 the check that catches it
==========================================  ==================================================================
output weights ×20, :func:`scaled_output`   :func:`~dlcourse.diagnostics.check_initial_loss`
penalty subtracted, :func:`l2_objective`    :func:`~dlcourse.diagnostics.check_regularization_raises_loss`
:class:`Softmaxed` in front of the loss     :func:`~dlcourse.diagnostics.check_overfit_tiny`
:class:`BuggyReLU`, :func:`tiny_pair`       :func:`~dlcourse.diagnostics.gradient_check`
learning rate 50, :func:`update_ratios`     :func:`~dlcourse.diagnostics.check_update_ratios`
first-layer biases −100, :func:`dead_net`   :func:`~dlcourse.diagnostics.check_dead_units`
:class:`NaiveLogSoftmax` on huge logits     :func:`~dlcourse.diagnostics.find_nan`
==========================================  ==================================================================

Every builder seeds itself first (:func:`dlcourse.runtime.seed_everything`), so a buggy network
starts from the weights of its healthy twin, whatever was drawn before.

Examples
--------
>>> from dlcourse import diagnostics
>>> X = torch.randn(32, 64, generator=torch.Generator().manual_seed(0))
>>> diagnostics.check_dead_units(healthy_net(), X).passed, diagnostics.check_dead_units(dead_net(), X).passed
(True, False)
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_number, check_positive, check_positive_int, check_tensor
from .diagnostics import update_to_weight_ratios
from .models import make_mlp
from .optim import SGD
from .runtime import seed_everything

__all__ = [
    "healthy_net",
    "scaled_output",
    "l2_objective",
    "Softmaxed",
    "NaiveLogSoftmax",
    "ForgetfulReLU",
    "BuggyReLU",
    "tiny_pair",
    "dead_net",
    "update_ratios",
]


def healthy_net(seed: int = 0, width: int = 32) -> nn.Sequential:
    """The healthy network: an MLP for the digits, 64 inputs → two ReLU layers of ``width`` → 10 logits.

    Parameters
    ----------
    seed : int, default 0
        Seeds every generator (:func:`dlcourse.runtime.seed_everything`) before the weights are drawn.
    width : int, default 32
        Units per hidden layer.

    Returns
    -------
    nn.Sequential
        ``Flatten, Linear, ReLU, Linear, ReLU, Linear`` (:func:`dlcourse.models.make_mlp`, depth 2).

    Raises
    ------
    TypeError
        If ``width`` is not an int.
    ValueError
        If ``width`` is below 1 or ``seed`` is not a non-negative int.
    """
    width = check_positive_int(width, "width")
    seed_everything(seed)
    return make_mlp(64, 10, depth=2, width=width)


def scaled_output(factor: float, seed: int = 0) -> nn.Sequential:
    r"""Planted bug: the healthy network with its output weights multiplied by ``factor``.

    Large random logits make the untrained network over-confident, so its initial loss lies far
    above :math:`\log 10` (:func:`~dlcourse.diagnostics.check_initial_loss`); with ``factor`` in
    the thousands the softmax underflows to exactly 0 (see :class:`NaiveLogSoftmax`).

    Parameters
    ----------
    factor : float
        The scale of the output layer's weights (1 gives the healthy network back).
    seed : int, default 0
        Seed of the healthy network (see :func:`healthy_net`).

    Returns
    -------
    nn.Sequential
        The scaled network.

    Raises
    ------
    TypeError
        If ``factor`` is not a real number.
    ValueError
        If ``factor`` is not finite.
    """
    factor = check_number(factor, "factor")
    net = healthy_net(seed)
    with torch.no_grad():
        net[-1].weight.mul_(factor)
    return net


def l2_objective(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, sign: int = 1
) -> Callable[[float], torch.Tensor]:
    r"""The loss with an L2 penalty as a function of its strength; ``sign=-1`` is the planted bug (subtracted).

    The objective is :math:`L(w) + \text{sign}\cdot\alpha\,\lVert W\rVert^2` on the batch ``(X, y)``, where
    :math:`L` is the cross-entropy and the penalty sums the squares of every parameter whose name ends with ``weight`` (the biases are
    not penalised). :func:`~dlcourse.diagnostics.check_regularization_raises_loss` takes the result.

    Parameters
    ----------
    model : nn.Module
        The network whose current weights are penalised.
    X : torch.Tensor
        A batch of inputs.
    y : torch.Tensor
        Their class labels.
    sign : {1, -1}, default 1
        ``1`` adds the penalty (healthy), ``-1`` subtracts it (the bug).

    Returns
    -------
    callable
        ``objective(alpha) -> torch.Tensor``: the cross-entropy on ``(X, y)`` plus ``sign * alpha`` times the penalty.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module``, ``X`` or ``y`` not a tensor, or ``sign`` not a number.
    ValueError
        If ``sign`` is neither 1 nor -1.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    X, y = check_tensor(X, "X"), check_tensor(y, "y")
    if check_number(sign, "sign") not in (1.0, -1.0):
        raise ValueError(f"sign must be 1 (the penalty added) or -1 (the planted bug: subtracted), got {sign}")
    sign = int(sign)

    def objective(alpha):
        penalty = sum((p**2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
        return F.cross_entropy(model(X), y) + sign * alpha * penalty

    return objective


class Softmaxed(nn.Module):
    """Planted bug: a softmax layer in front of cross-entropy (which applies its own).

    Put after a network's logits, ``nn.Sequential(healthy_net(), Softmaxed())``, it squeezes them into
    :math:`[0, 1]`: cross-entropy can then never get close to 0, and the network cannot memorise even
    a few examples (:func:`~dlcourse.diagnostics.check_overfit_tiny`).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The softmax of each row of ``x``.

        Parameters
        ----------
        x : torch.Tensor
            Logits ``(n, C)``.

        Returns
        -------
        torch.Tensor
            Probabilities ``(n, C)``, which the loss then treats as logits.
        """
        return torch.softmax(x, dim=1)


class NaiveLogSoftmax(nn.Module):
    r"""Planted bug: ``log(softmax(z))`` instead of ``log_softmax(z)`` — the log of an underflowed 0.

    With very large logits the softmax of a wrong class rounds to exactly 0: its log is
    :math:`-\infty`, and the backward pass of ``log`` divides by that 0 (``LogBackward0`` returns NaN,
    which :func:`~dlcourse.diagnostics.find_nan` names). ``nn.LogSoftmax`` computes
    :math:`z - \operatorname{logsumexp}(z)` and stays finite.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The log of the softmax of each row of ``x``, computed naively.

        Parameters
        ----------
        x : torch.Tensor
            Logits ``(n, C)``.

        Returns
        -------
        torch.Tensor
            Log-probabilities ``(n, C)``; ``-inf`` where the softmax underflowed.
        """
        return torch.log(torch.softmax(x, dim=1))


class ForgetfulReLU(torch.autograd.Function):
    """Planted bug: a hand-written ReLU whose backward forgets the mask.

    The forward pass is right; the backward pass returns the incoming gradient unchanged, also for the
    inputs that the ReLU set to 0, whose gradient is 0. Training still runs, only worse; the
    gradient check (:func:`~dlcourse.diagnostics.gradient_check`) finds it at once. Use it through
    :class:`BuggyReLU`.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        """The ReLU, ``max(x, 0)`` elementwise (this half is right).

        Parameters
        ----------
        ctx : torch.autograd.function.FunctionCtx
            Autograd's context (the bug: nothing is saved for the backward pass).
        x : torch.Tensor
            The input.

        Returns
        -------
        torch.Tensor
            ``x`` with its negative entries set to 0.
        """
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        """The incoming gradient, passed on unmasked (the bug).

        Parameters
        ----------
        ctx : torch.autograd.function.FunctionCtx
            Autograd's context.
        grad : torch.Tensor
            The gradient of the loss with respect to the output.

        Returns
        -------
        torch.Tensor
            ``grad`` itself, as if every input were positive.
        """
        return grad  # should be grad * (x > 0), with x saved by forward


class BuggyReLU(nn.Module):
    """A ReLU layer built on :class:`ForgetfulReLU`: right outputs, wrong gradients."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The ReLU, ``max(x, 0)`` elementwise, with the forgetful backward pass.

        Parameters
        ----------
        x : torch.Tensor
            The input.

        Returns
        -------
        torch.Tensor
            ``x`` with its negative entries set to 0.
        """
        return ForgetfulReLU.apply(x)


def tiny_pair(seed: int = 0) -> tuple[nn.Sequential, nn.Sequential]:
    """Two tiny networks for the gradient check, 64 → 6 → 10: one with a tanh, one with :class:`BuggyReLU`.

    A gradient check compares every gradient with two finite-difference evaluations of the loss, so
    it wants a small network. The healthy one has autograd's own ``tanh``; the buggy one the hand-written
    ReLU whose backward forgets its mask. Both are drawn after one seeding, in this order.

    Parameters
    ----------
    seed : int, default 0
        Seeds every generator before the two networks are drawn.

    Returns
    -------
    tuple of nn.Sequential
        ``(healthy, buggy)``.

    Raises
    ------
    ValueError
        If ``seed`` is not a non-negative int.
    """
    seed_everything(seed)
    healthy = nn.Sequential(nn.Linear(64, 6), nn.Tanh(), nn.Linear(6, 10))
    buggy = nn.Sequential(nn.Linear(64, 6), BuggyReLU(), nn.Linear(6, 10))
    return healthy, buggy


def dead_net(seed: int = 0, bias: float = -100.0) -> nn.Sequential:
    """Planted bug: the healthy network with every first-layer bias set to ``bias`` (dead ReLUs).

    With a bias of −100 the first hidden layer's input is negative for every example, so each of its
    ReLUs outputs 0 and passes no gradient on: the layer never learns again
    (:func:`~dlcourse.diagnostics.check_dead_units`).

    Parameters
    ----------
    seed : int, default 0
        Seed of the healthy network (see :func:`healthy_net`).
    bias : float, default -100.0
        The value of every bias of the first ``Linear`` layer.

    Returns
    -------
    nn.Sequential
        The network with the planted biases.

    Raises
    ------
    TypeError
        If ``bias`` is not a real number.
    ValueError
        If ``bias`` is not finite.
    """
    bias = check_number(bias, "bias")
    net = healthy_net(seed)
    with torch.no_grad():
        net[1].bias.fill_(bias)
    return net


def update_ratios(X: torch.Tensor, y: torch.Tensor, lr: float, seed: int = 0) -> dict[str, float]:
    r"""Update-to-weight ratios of one plain SGD step with learning rate ``lr`` on a fresh healthy network.

    A healthy step changes each weight matrix by about :math:`10^{-3}` of its norm; ``lr=50`` is the
    planted bug, a step that rewrites the weights (:func:`~dlcourse.diagnostics.check_update_ratios`).

    Parameters
    ----------
    X : torch.Tensor
        A batch of inputs (64 features).
    y : torch.Tensor
        Their class labels.
    lr : float
        Learning rate of the step (:class:`dlcourse.optim.SGD`); must be > 0.
    seed : int, default 0
        Seed of the healthy network (see :func:`healthy_net`).

    Returns
    -------
    dict of str to float
        :math:`\lVert\Delta W\rVert / \lVert W\rVert` per weight matrix, by parameter name
        (:func:`~dlcourse.diagnostics.update_to_weight_ratios`).

    Raises
    ------
    TypeError
        If ``X`` or ``y`` is not a tensor, or ``lr`` not a number.
    ValueError
        If ``lr`` is not > 0.
    """
    X, y = check_tensor(X, "X"), check_tensor(y, "y")
    lr = check_positive(lr, "lr")
    net = healthy_net(seed)
    return update_to_weight_ratios(net, X, y, SGD(net.parameters(), lr=lr))
