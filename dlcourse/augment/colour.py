r"""Colour augmentation on batches: brightness, contrast and saturation, folded into one pass.

:func:`adjust_colour` applies given per-sample factors; :func:`color_jitter` draws them on the CPU and
calls it.

Examples
--------
>>> import torch
>>> x = torch.tensor([1.0, 0.0, 0.0]).reshape(1, 3, 1, 1)   # one red pixel
>>> adjust_colour(x, saturation=0.0).flatten()               # its grey: 0.299 in every channel
tensor([0.2990, 0.2990, 0.2990])
"""

from __future__ import annotations

import torch

from .._checks import check_bool, check_nonnegative
from .base import _check_range, _per_sample, _temporary, _uniform, check_batch

__all__ = ["LUMA", "adjust_colour", "color_jitter"]


# --------------------------------------------------------------------------- colour
#: ITU-R BT.601 luma weights, used for the grey image of an RGB batch.
LUMA = (0.299, 0.587, 0.114)


def _grey(x: torch.Tensor) -> torch.Tensor:
    """The ``(N, 1, H, W)`` grey image of an RGB batch."""
    grey = torch.mul(x[:, 0:1], LUMA[0], out=_temporary("grey", (len(x), 1, *x.shape[2:]), x))
    return grey.add_(x[:, 1:2], alpha=LUMA[1]).add_(x[:, 2:3], alpha=LUMA[2])


def adjust_colour(
    x: torch.Tensor,
    brightness=1.0,
    contrast=1.0,
    saturation=1.0,
    value_range: tuple[float, float] | None = None,
    *,
    inplace: bool = False,
) -> torch.Tensor:
    """Scale brightness, contrast and saturation by per-sample factors ``b, c, s`` (numbers or ``(N,)``):

    .. math::
        x \\leftarrow b\\,x, \\qquad
        x \\leftarrow c\\,x + (1-c)\\,\\overline{g(x)}, \\qquad
        x \\leftarrow s\\,x + (1-s)\\,g(x),

    in this order, where :math:`g(x) = 0.299R + 0.587G + 0.114B` is the grey image and
    :math:`\\overline{g(x)}` its mean over the image. A factor 1 changes nothing; contrast 0 gives a flat
    grey image, saturation 0 a grey one (one-channel images have no saturation to change). With
    ``value_range = (lo, hi)`` the result is clamped into it, e.g. ``(0, 1)`` for photographs.

    Because :math:`g` and the mean are linear, the three steps fold into one pass over the batch,

    .. math:: x \\leftarrow sc b\\, x + (1-s) c b\\, g(x) + (1-c) b\\, \\overline{g(x)},

    which is what the code computes. With ``inplace=True`` the result overwrites ``x`` (no new batch).

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``. For ``C == 3`` (RGB) the grey image is
        :math:`g(x)`; for any other ``C`` it is ``x`` itself, and the mean is taken over all channels.
    brightness : float or torch.Tensor, default 1.0
        Brightness factor ``b``: a number for the whole batch or a tensor of shape ``(N,)``, one per image.
    contrast : float or torch.Tensor, default 1.0
        Contrast factor ``c``, a number or shape ``(N,)``.
    saturation : float or torch.Tensor, default 1.0
        Saturation factor ``s``, a number or shape ``(N,)``; it has no effect unless ``C == 3``.
    value_range : tuple of (float, float), optional
        ``(lo, hi)`` with ``lo <= hi``: the result is clamped into it. ``None`` (the default) clamps nothing.
    inplace : bool, default False
        Write the result into ``x`` instead of a new tensor.

    Returns
    -------
    torch.Tensor
        The adjusted batch, shape ``(N, C, H, W)``, same dtype and device as ``x`` (``x`` itself if
        ``inplace=True``).
    """
    x = check_batch(x)
    n = len(x)
    out = x if check_bool(inplace, "inplace") else None
    b, c, s = (
        _per_sample(v, n, name, x.device, x.dtype)[:, None, None, None]
        for v, name in ((brightness, "brightness"), (contrast, "contrast"), (saturation, "saturation"))
    )
    if x.shape[1] == 3:
        grey = _grey(x)  # (N, 1, H, W): a third of the batch
        mean_term = (1 - c) * b * grey.mean(dim=(1, 2, 3), keepdim=True)
        # the one-channel terms are summed first (in place), so the full-size batch is read and written once
        out = torch.addcmul(grey.mul_((1 - s) * c * b).add_(mean_term), x, s * c * b, out=out)
    else:  # no colour: g(x) = x and saturation changes nothing
        out = torch.addcmul((1 - c) * b * x.mean(dim=(1, 2, 3), keepdim=True), x, c * b, out=out)
    if value_range is not None:
        lo, hi = _check_range(value_range, "value_range")
        out = out.clamp_(lo, hi)
    return out


def color_jitter(
    x: torch.Tensor,
    brightness: float = 0.0,
    contrast: float = 0.0,
    saturation: float = 0.0,
    *,
    value_range: tuple[float, float] | None = None,
    inplace: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Colour jitter: each factor of :func:`adjust_colour` drawn per image from
    :math:`U(\\max(0, 1 - v),\\ 1 + v)` for strength ``v`` (0 leaves that property unchanged).
    With ``inplace=True`` the result overwrites ``x``.

    Parameters
    ----------
    x : torch.Tensor
        Floating-point batch of images, shape ``(N, C, H, W)``.
    brightness : float, default 0.0
        Strength ``v >= 0`` of the brightness jitter.
    contrast : float, default 0.0
        Strength ``v >= 0`` of the contrast jitter.
    saturation : float, default 0.0
        Strength ``v >= 0`` of the saturation jitter (no effect unless ``C == 3``).
    value_range : tuple of (float, float), optional
        ``(lo, hi)`` with ``lo <= hi`` to clamp the result into; ``None`` (the default) clamps nothing.
    inplace : bool, default False
        Write the result into ``x`` instead of a new tensor.
    generator : torch.Generator, optional
        CPU generator the factors are drawn from (brightness, contrast, saturation, in that order);
        ``None`` uses torch's default generator.

    Returns
    -------
    torch.Tensor
        The jittered batch, shape ``(N, C, H, W)``, same dtype and device as ``x``.
    """
    x = check_batch(x)
    factors = _colour_factors(len(x), (brightness, contrast, saturation), generator, x.device, x.dtype)
    return adjust_colour(x, *factors, value_range=value_range, inplace=inplace)


def _colour_factors(n: int, strengths: tuple, generator, device, dtype) -> list[torch.Tensor]:
    """The brightness, contrast and saturation factors of :func:`color_jitter`, drawn in that order."""
    factors = []
    for v, name in zip(strengths, ("brightness", "contrast", "saturation")):
        v = check_nonnegative(v, name)
        factors.append(_uniform(n, max(0.0, 1 - v), 1 + v, generator, device, dtype))
    return factors
