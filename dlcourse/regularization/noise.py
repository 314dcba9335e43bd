r"""Noise as a regularizer: dropout on the units, Gaussian noise on the inputs, label smoothing on the targets.

Dropout ``p`` is the probability of *dropping* a unit (PyTorch's convention); the keep probability is
:math:`1 - p`, and inverted dropout divides the kept units by it during training so that evaluation needs no
rescaling.

Examples
--------
>>> import torch
>>> Dropout(0.5).eval()(torch.ones(3))        # identity in evaluation mode
tensor([1., 1., 1.])
>>> smooth_labels(torch.tensor([0]), 4, 0.2)  # 1 - 0.2 + 0.2/4 on the class, 0.2/4 elsewhere
tensor([[0.8500, 0.0500, 0.0500, 0.0500]])
"""

from __future__ import annotations

import functools
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import (
    check_choice,
    check_nonnegative,
    check_positive_int,
    check_probability,
    check_tensor,
)

__all__ = [
    "dropout_mask",
    "dropout",
    "Dropout",
    "TestTimeScaledDropout",
    "GaussianNoise",
    "smooth_labels",
    "label_smoothing_cross_entropy",
    "label_smoothing_loss",
]


# --------------------------------------------------------------------------- dropout
def _check_p(p) -> float:
    return check_probability(p, "p", allow_one=False)


def dropout_mask(shape, p: float, *, generator: torch.Generator | None = None, device=None) -> torch.Tensor:
    r"""A boolean *keep* mask: each entry is ``True`` independently with probability :math:`1 - p`.

    Parameters
    ----------
    shape : tuple of int or torch.Size
        Shape of the mask.
    p : float
        Drop probability; must be in [0, 1).
    generator : torch.Generator, optional
        Random generator for a reproducible mask (on ``device``); ``None`` uses the global one.
    device : torch.device or str, optional
        Device of the mask; ``None``: the default device.

    Returns
    -------
    torch.Tensor
        Boolean tensor of shape ``shape``, ``True`` for the kept entries.
    """
    p = _check_p(p)
    return torch.rand(shape, generator=generator, device=device) >= p


def dropout(
    x: torch.Tensor,
    p: float = 0.5,
    *,
    training: bool = True,
    inverted: bool = True,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Dropout with **drop** probability :math:`p` (keep probability :math:`q = 1 - p`), mask :math:`m_i \sim \text{Bernoulli}(q)`.

    - inverted (PyTorch's, the default): training :math:`y = \dfrac{m \odot x}{1 - p}`; evaluation :math:`y = x`.
    - non-inverted (the original paper's): training :math:`y = m \odot x`; evaluation :math:`y = (1 - p)\,x`.

    Both give the same expectation at training and at evaluation time: :math:`\mathbb E[y] = x` (inverted)
    or :math:`(1-p)\,x` (non-inverted). ``generator`` makes the mask reproducible.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point input, any shape.
    p : float, default 0.5
        Drop probability; must be in [0, 1).
    training : bool, default True
        Training mode (random mask) or evaluation mode (deterministic).
    inverted : bool, default True
        Inverted dropout (scale at training time) or the original (scale at evaluation time).
    generator : torch.Generator, optional
        CPU random generator for the mask (the mask is drawn on the CPU, then moved to ``x.device``).

    Returns
    -------
    torch.Tensor
        Same shape and dtype as ``x``.
    """
    x = check_tensor(x, "x", floating=True)
    p = _check_p(p)
    if not training:
        return x if inverted else x * (1.0 - p)
    if p == 0.0:
        return x
    mask = dropout_mask(x.shape, p, generator=generator).to(x.device)
    return x * mask / (1.0 - p) if inverted else x * mask


class Dropout(nn.Module):
    r"""Inverted dropout (drop probability ``p``; scaled by :math:`1/(1-p)` while training, identity in ``eval()``).

    See :func:`dropout`. ``p`` must lie in [0, 1): ``p = 1`` would drop everything and divide by zero.

    Parameters
    ----------
    p : float, default 0.5
        Drop probability; must be in [0, 1).
    generator : torch.Generator, optional
        CPU random generator for reproducible masks; ``None`` uses the global one.
    """

    inverted = True

    def __init__(self, p: float = 0.5, generator: torch.Generator | None = None):
        super().__init__()
        self.p = _check_p(p)
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply dropout (training mode) or the evaluation-time map (``eval()``).

        Parameters
        ----------
        x : torch.Tensor
            Floating-point input, any shape.

        Returns
        -------
        torch.Tensor
            Same shape as ``x``.
        """
        return dropout(x, self.p, training=self.training, inverted=self.inverted, generator=self.generator)

    def extra_repr(self) -> str:
        """The extra text in the module's ``repr``.

        Returns
        -------
        str
            ``"p=<p>"``.
        """
        return f"p={self.p}"


class TestTimeScaledDropout(Dropout):
    r"""Non-inverted dropout: :math:`m \odot x` while training, :math:`(1-p)\,x` in ``eval()`` (scale by the keep probability).

    Parameters
    ----------
    p : float, default 0.5
        Drop probability; must be in [0, 1).
    generator : torch.Generator, optional
        CPU random generator for reproducible masks; ``None`` uses the global one.
    """

    __test__ = False  # not a pytest test class, despite the name
    inverted = False


# --------------------------------------------------------------------------- noise
class GaussianNoise(nn.Module):
    r"""Additive input/activation noise while training: :math:`y = x + \sigma\,\varepsilon`,
    :math:`\varepsilon \sim \mathcal N(0, I)`; identity in ``eval()``.

    Parameters
    ----------
    std : float, default 0.1
        Noise standard deviation :math:`\sigma`; must be >= 0 (0: identity).
    generator : torch.Generator, optional
        CPU random generator for reproducible noise; ``None`` uses the global one.
    """

    def __init__(self, std: float = 0.1, generator: torch.Generator | None = None):
        super().__init__()
        self.std = check_nonnegative(std, "std")
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Add the noise (training mode) or return ``x`` unchanged (``eval()``).

        Parameters
        ----------
        x : torch.Tensor
            Floating-point input, any shape.

        Returns
        -------
        torch.Tensor
            Same shape and dtype as ``x``.
        """
        x = check_tensor(x, "x", floating=True)
        if not self.training or self.std == 0.0:
            return x
        noise = torch.randn(x.shape, generator=self.generator, dtype=x.dtype).to(x.device)
        return x + self.std * noise

    def extra_repr(self) -> str:
        """The extra text in the module's ``repr``.

        Returns
        -------
        str
            ``"std=<std>"``.
        """
        return f"std={self.std}"


# --------------------------------------------------------------------------- label smoothing
def smooth_labels(target: torch.Tensor, num_classes: int, smoothing: float = 0.1) -> torch.Tensor:
    r"""Smoothed one-hot targets :math:`q_k = (1 - \varepsilon)\,[k = y] + \varepsilon / K`.

    Parameters
    ----------
    target : torch.Tensor
        Class indices in ``[0, num_classes)``, any shape, e.g. ``(N,)``.
    num_classes : int
        Number of classes :math:`K`; must be >= 1.
    smoothing : float, default 0.1
        :math:`\varepsilon`; must be in [0, 1].

    Returns
    -------
    torch.Tensor
        float32, shape ``(*target.shape, num_classes)``; each row sums to 1.
    """
    target = check_tensor(target, "target")
    num_classes = check_positive_int(num_classes, "num_classes")
    eps = check_probability(smoothing, "smoothing")
    return (1.0 - eps) * F.one_hot(target.long(), num_classes).float() + eps / num_classes


def label_smoothing_cross_entropy(
    logits: torch.Tensor, target: torch.Tensor, smoothing: float = 0.1, reduction: str = "mean"
) -> torch.Tensor:
    r"""Cross-entropy against smoothed targets: :math:`\ell = -\sum_k q_k \log \operatorname{softmax}(z)_k`,
    :math:`q` from :func:`smooth_labels`. Equals ``F.cross_entropy(logits, target, label_smoothing=smoothing)``.

    Equivalently :math:`(1-\varepsilon)\,\text{CE}(z, y) + \varepsilon \cdot \frac{1}{K}\sum_k -\log s_k`: the
    second term punishes a near-zero probability on any class, so logits stop growing without bound.

    Parameters
    ----------
    logits : torch.Tensor
        Floating-point scores with the classes on the last dimension, e.g. ``(N, K)``.
    target : torch.Tensor
        Class indices, shape ``logits.shape[:-1]``, e.g. ``(N,)``.
    smoothing : float, default 0.1
        :math:`\varepsilon`; must be in [0, 1].
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-example losses are combined.

    Returns
    -------
    torch.Tensor
        A scalar, or the per-example losses of shape ``logits.shape[:-1]`` for ``"none"``.
    """
    logits = check_tensor(logits, "logits", floating=True)
    check_choice(reduction, "reduction", ("mean", "sum", "none"))
    q = smooth_labels(target, logits.shape[-1], smoothing).to(logits)
    loss = -(q * torch.log_softmax(logits, dim=-1)).sum(dim=-1)
    return {"mean": loss.mean, "sum": loss.sum, "none": lambda: loss}[reduction]()


def label_smoothing_loss(smoothing: float = 0.1) -> Callable:
    r"""``loss_fn`` for :func:`dlcourse.training.fit`: :func:`label_smoothing_cross_entropy` with fixed ``smoothing``.

    Parameters
    ----------
    smoothing : float, default 0.1
        :math:`\varepsilon`; must be in [0, 1].

    Returns
    -------
    callable
        ``loss(logits, target) -> torch.Tensor``, the mean smoothed cross-entropy.
    """
    check_probability(smoothing, "smoothing")
    return functools.partial(label_smoothing_cross_entropy, smoothing=smoothing)
