"""Initializing a whole model: the scheme an activation calls for, one scheme applied to every Linear/Conv layer,
and the per-layer statistics that show whether the signal keeps its scale."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from .._checks import check_choice
from ..activations import activation_names
from ..diagnostics import record_layers
from .distributions import normal_, zeros_
from .schemes import he_normal_, he_uniform_, lecun_normal_, lecun_uniform_, xavier_normal_, xavier_uniform_

__all__ = ["WEIGHT_LAYERS", "INITIALIZERS", "recommended_init", "init_model", "layer_stds"]

#: Layers whose weights :func:`init_model` initialises (the weight layout is ``(out, in, *kernel)``).
WEIGHT_LAYERS: tuple[type, ...] = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


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
    its variants (leaky ReLU, RReLU, PReLU, ELU, GELU, softplus).

    Parameters
    ----------
    activation_name : str
        A name from :func:`dlcourse.activations.activation_names`, or ``"softmax"``.
    distribution : {"normal", "uniform"}, default "normal"
        The distribution of the scheme.

    Returns
    -------
    str
        A key of :data:`INITIALIZERS`, e.g. ``"he_normal"``.
    """
    check_choice(activation_name, "activation_name", activation_names() + ["softmax"])
    check_choice(distribution, "distribution", ("normal", "uniform"))
    return f"{_FAMILY.get(activation_name, 'he')}_{distribution}"


def init_model(
    model: nn.Module, scheme="xavier_uniform", *, generator: torch.Generator | None = None, **kwargs
) -> nn.Module:
    """Initialise the weight of every Linear/Conv layer of ``model`` with ``scheme`` and zero its bias.

    Layers are visited in ``model.modules()`` order, so a seeded generator makes the whole model
    reproducible.

    Parameters
    ----------
    model : torch.nn.Module
        The network; its :data:`WEIGHT_LAYERS` (Linear, Conv1d, Conv2d, Conv3d) are initialised in place.
    scheme : str or callable, default "xavier_uniform"
        A name from :data:`INITIALIZERS` or a callable ``weight -> weight`` that works in place.
    generator : torch.Generator or None, default None
        Keyword-only; passed to a named initializer (``"zeros"`` draws nothing and does not get it).
        Not allowed with a callable ``scheme``.
    **kwargs
        Extra keyword arguments for a named initializer, e.g. ``std=1.0`` or ``gain=...``. Not allowed
        with a callable ``scheme``.

    Returns
    -------
    torch.nn.Module
        ``model``.
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


def layer_stds(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor | None = None, *, which: str = "output"
) -> list[float]:
    r"""Standard deviation of each activation layer's output (``which="output"``) or of the loss's
    gradient with respect to it (``which="grad"``, needs targets ``y``), first layer first.

    A thin summary of :func:`dlcourse.diagnostics.record_layers`: a well-initialised network keeps
    these numbers roughly constant from layer to layer.

    Parameters
    ----------
    model : torch.nn.Module
        The network; its activation layers are the modules of
        :data:`dlcourse.diagnostics.ACTIVATION_TYPES`.
    X : torch.Tensor
        A batch of inputs.
    y : torch.Tensor or None, default None
        Class labels of ``X`` for the cross-entropy loss; needed for ``which="grad"``.
    which : {"output", "grad"}, default "output"
        Keyword-only: the outputs or their gradients.

    Returns
    -------
    list of float
        One standard deviation per activation layer, in the order the forward pass reaches them.
    """
    check_choice(which, "which", ("output", "grad"))
    if which == "grad" and y is None:
        raise ValueError("y must be given to record gradients (which='grad')")
    records = record_layers(model, X, y)
    return [getattr(r, which).std().item() for r in records]
