"""What the augmentation modules share: the batch check, the random draws and the scratch memory.

Every transform takes a batch ``x`` of shape ``(N, C, H, W)`` (:func:`check_batch`). Random parameters are
drawn on the CPU from a ``torch.Generator`` and then moved to the batch's device, so that one seed gives the
same batch on any device. A fused :class:`dlcourse.augment.Compose` lends the functions scratch
memory for their temporaries (:func:`_temporary`); outside one they allocate as usual.

Examples
--------
>>> import torch
>>> check_batch(torch.zeros(2, 3, 4, 4)).shape
torch.Size([2, 3, 4, 4])
"""

from __future__ import annotations

import math
import threading

import numpy as np
import torch
import torch.nn.functional as F

from .._checks import check_number, check_positive_int, check_tensor

__all__ = ["check_batch"]


# --------------------------------------------------------------------------- checks and draws
def check_batch(x, name: str = "x") -> torch.Tensor:
    """Return ``x`` if it is a floating-point batch of images ``(N, C, H, W)``.

    Parameters
    ----------
    x : torch.Tensor
        The batch to check: a floating-point tensor (else ``TypeError``) with 4 dimensions (else ``ValueError``).
    name : str, default "x"
        The argument's name, used in the error messages.

    Returns
    -------
    torch.Tensor
        ``x`` itself, unchanged.
    """
    x = check_tensor(x, name, floating=True)
    if x.ndim != 4:
        raise ValueError(f"{name} must be a batch of images of shape (N, C, H, W), got shape {tuple(x.shape)}")
    return x


def _check_range(value, name: str, *, low: float = -math.inf) -> tuple[float, float]:
    """Return the pair ``(low, high)`` as floats if ``low <= high`` and ``low`` is at least ``low``."""
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}")
    a, b = check_number(value[0], f"{name}[0]"), check_number(value[1], f"{name}[1]")
    if a > b or a < low:
        raise ValueError(f"{name} must satisfy {low if low > -math.inf else '-inf'} <= low <= high, got {value!r}")
    return a, b


def _uniform(n: int, low: float, high: float, generator, device, dtype=torch.float32) -> torch.Tensor:
    """``n`` draws from U(low, high), made on the CPU from ``generator``, then moved to ``device``."""
    return (low + (high - low) * torch.rand(n, generator=generator, dtype=torch.float64)).to(device, dtype)


def _randint(n: int, high, generator, device) -> torch.Tensor:
    """``n`` integers, the i-th uniform in ``[0, high_i]`` (``high`` an int or a CPU tensor), drawn on the CPU."""
    u = torch.rand(n, generator=generator, dtype=torch.float64)
    high = torch.as_tensor(high, dtype=torch.float64)
    return torch.minimum((u * (high + 1)).floor(), high).long().to(device)


def _beta(n: int, alpha: float, generator) -> torch.Tensor:
    """``n`` draws from Beta(α, α) on the CPU. torch's Beta takes no generator, so a NumPy generator is
    seeded from ``generator`` (the draw stays reproducible from the one torch seed)."""
    seed = int(torch.randint(0, 2**62, (1,), generator=generator))
    return torch.from_numpy(np.random.default_rng(seed).beta(alpha, alpha, size=n))


def _one_hot(y: torch.Tensor, num_classes: int | None, dtype) -> torch.Tensor:
    """Hard labels ``(N,)`` → one-hot rows; soft targets ``(N, K)`` pass through."""
    if y.ndim == 2 and y.is_floating_point():
        return y.to(dtype)
    if num_classes is None:
        raise ValueError("num_classes must be given when y holds class indices")
    return F.one_hot(y.long(), check_positive_int(num_classes, "num_classes")).to(dtype)


def _per_sample(value, n: int, name: str, device, dtype) -> torch.Tensor:
    """A scalar or a length-``n`` tensor of per-sample parameters, as a tensor of shape ``(n,)``."""
    t = torch.as_tensor(value, dtype=dtype).to(device)
    if t.ndim == 0:
        t = t.expand(n)
    if t.shape != (n,):
        raise ValueError(f"{name} must be a number or have shape ({n},), got shape {tuple(t.shape)}")
    return t


# --------------------------------------------------------------------------- scratch memory
class _Scratch(threading.local):
    """Temporary tensors that a :class:`Compose` keeps from one call to the next, one set per thread.

    A multi-megabyte tensor allocated afresh on a CPU is fresh memory from the operating system, and the
    first write to each of its 4 KiB pages costs a page fault; for a batch of images that costs as much
    time as the arithmetic. The temporaries of a call (an index map, a grey image, a sampling grid, a block
    between two steps of a run) are dropped before it returns, so the next call can write into
    the same memory instead.
    """

    def __init__(self):
        self.tensors: dict[str, torch.Tensor] = {}

    def empty(self, key: str, shape: tuple, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        """A tensor of ``shape`` in the memory kept under ``key``, which grows to the largest size asked for
        (the blocks of a batch and its last, smaller block share it)."""
        numel = math.prod(shape)
        kept = self.tensors.get(key)
        if kept is None or kept.numel() < numel or kept.dtype != dtype or kept.device != device:
            kept = self.tensors[key] = torch.empty(numel, dtype=dtype, device=device)
        return (kept if kept.numel() == numel else kept[:numel]).view(shape)


_running = threading.local()  # ``.scratch``: the _Scratch of the Compose now running on this thread, if any


def _temporary(key: str, shape: tuple, like: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor | None:
    """The ``out=`` for a temporary that the calling function drops before it returns: scratch memory of the
    :class:`Compose` running on this thread, or ``None`` (a new tensor) outside one. Autograd may keep a
    temporary for the backward pass and refuses ``out=``, so a batch that needs gradients gets ``None``."""
    scratch = getattr(_running, "scratch", None)
    if scratch is None or (like.requires_grad and torch.is_grad_enabled()):
        return None
    return scratch.empty(key, shape, like.dtype if dtype is None else dtype, like.device)
