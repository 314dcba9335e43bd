"""Model builders used throughout the course.

Examples
--------
>>> make_mlp(64, 10, depth=2, width=32, activation="tanh")
Sequential(
  (0): Flatten(start_dim=1, end_dim=-1)
  (1): Linear(in_features=64, out_features=32, bias=True)
  (2): Activation(tanh)
  (3): Linear(in_features=32, out_features=32, bias=True)
  (4): Activation(tanh)
  (5): Linear(in_features=32, out_features=10, bias=True)
)
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch  # noqa: F401 - the examples in the docstrings use it
from torch import nn

from ._checks import check_positive_int, check_probability
from .activations import get_activation

__all__ = [
    "make_mlp",
    "make_cnn",
    "linear_layers",
]


def make_mlp(
    in_features: int,
    out_features: int,
    *,
    depth: int = 2,
    width: int = 64,
    hidden_sizes: Sequence[int] | None = None,
    activation: str = "relu",
    activation_kwargs: dict | None = None,
    norm_layer: Callable[[int], nn.Module] | None = None,
    dropout: float = 0.0,
    bias: bool = True,
) -> nn.Sequential:
    """A multilayer perceptron: ``Flatten → [Linear → (norm) → activation → (dropout)] × depth → Linear``.

    Parameters
    ----------
    in_features, out_features : int
        Sizes fixed by the data (inputs are flattened first).
    depth, width : int, default 2 and 64
        Number of hidden layers and units per hidden layer (hyperparameters); ``depth >= 0``
        (0 gives a linear model), ``width >= 1``.
    hidden_sizes : sequence of int, optional
        Explicit widths, one per hidden layer; overrides ``depth`` and ``width``.
    activation : str, default "relu"
        A name from :func:`dlcourse.activations.activation_names`, built anew per layer.
    activation_kwargs : dict, optional
        Parameters of the activation, e.g. ``{"negative_slope": 0.1}``.
    norm_layer : callable, optional
        ``width -> module`` placed before the activation (e.g. ``nn.BatchNorm1d``).
    dropout : float, default 0.0
        Drop probability after each activation (0 disables it), in [0, 1).
    bias : bool, default True
        Whether the ``Linear`` layers have a bias.

    Returns
    -------
    torch.nn.Sequential
        The network, mapping ``(N, ...)`` inputs with ``in_features`` elements each to ``(N, out_features)``.
    """
    in_features = check_positive_int(in_features, "in_features")
    out_features = check_positive_int(out_features, "out_features")
    dropout = check_probability(dropout, "dropout", allow_one=False)
    if hidden_sizes is None:
        depth = int(depth)
        if depth < 0:
            raise ValueError(f"depth must be >= 0, got {depth}")
        hidden_sizes = [check_positive_int(width, "width")] * depth
    else:
        hidden_sizes = [check_positive_int(h, "hidden_sizes[i]") for h in hidden_sizes]
    activation_kwargs = activation_kwargs or {}
    layers: list[nn.Module] = [nn.Flatten()]
    previous = in_features
    for size in hidden_sizes:
        layers.append(nn.Linear(previous, size, bias=bias))
        if norm_layer is not None:
            layers.append(norm_layer(size))
        layers.append(get_activation(activation, **activation_kwargs))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        previous = size
    layers.append(nn.Linear(previous, out_features, bias=bias))
    return nn.Sequential(*layers)


def make_cnn(
    in_channels: int = 1,
    num_classes: int = 10,
    *,
    image_size: int = 8,
    channels: Sequence[int] = (16, 32),
    activation: str = "relu",
    dropout: float = 0.0,
) -> nn.Sequential:
    """A small convolutional network: ``[Conv3×3 (padding 1) → activation → MaxPool 2×2] × len(channels)
    → Flatten → (dropout) → Linear``.

    Each stage keeps the spatial size through the convolution and halves it through the pooling, so
    the linear layer sees ``channels[-1] · (image_size / 2^len(channels))²`` features. For the 8×8
    digits the default has two stages (8 → 4 → 2) and about 6,000 parameters.

    Parameters
    ----------
    in_channels : int, default 1
        Channels of the input images, >= 1.
    num_classes : int, default 10
        Number of outputs (logits), >= 1.
    image_size : int, default 8
        Side of the square input images in pixels, >= 1; each stage halves it (rounding down), and it must
        not reach 0 (``ValueError``).
    channels : sequence of int, default (16, 32)
        Output channels of the convolutions, one stage each (each >= 1).
    activation : str, default "relu"
        A name from :func:`dlcourse.activations.activation_names`, built anew per stage.
    dropout : float, default 0.0
        Drop probability before the linear layer, in [0, 1) (0 disables it).

    Returns
    -------
    torch.nn.Sequential
        The network, mapping ``(N, in_channels, image_size, image_size)`` to logits ``(N, num_classes)``.

    Examples
    --------
    >>> make_cnn()(torch.zeros(5, 1, 8, 8)).shape
    torch.Size([5, 10])
    """
    in_channels = check_positive_int(in_channels, "in_channels")
    num_classes = check_positive_int(num_classes, "num_classes")
    image_size = check_positive_int(image_size, "image_size")
    dropout = check_probability(dropout, "dropout", allow_one=False)
    channels = [check_positive_int(c, "channels[i]") for c in channels]
    side = image_size // 2 ** len(channels)
    if side < 1:
        raise ValueError(f"channels: {len(channels)} pooling stages shrink a {image_size}-pixel image to nothing")
    layers: list[nn.Module] = []
    previous = in_channels
    for c in channels:
        layers += [nn.Conv2d(previous, c, 3, padding=1), get_activation(activation), nn.MaxPool2d(2)]
        previous = c
    layers.append(nn.Flatten())
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(previous * side * side, num_classes))
    return nn.Sequential(*layers)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """The ``nn.Linear`` layers of ``model`` in order.

    Parameters
    ----------
    model : torch.nn.Module
        Any module; its submodules are searched recursively.

    Returns
    -------
    list of torch.nn.Linear
        The layers in the order of ``model.modules()``.
    """
    return [m for m in model.modules() if isinstance(m, nn.Linear)]
