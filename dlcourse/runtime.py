"""Where code runs and how reproducible it is: device, seeds, threads, random draws.

The course's rule for randomness: draw random tensors on the CPU from a seeded
``torch.Generator`` and *then* move them to the device. The same seed then gives the
same numbers on a laptop, in Colab and on a GPU.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from ._checks import check_positive_int

#: Default number of torch CPU threads. Measured on the course's 2-core machine
#: (``benchmarks``/CONTRIBUTING.md): the tiny models of this course run faster on one
#: thread than on two, because two threads fight over two shared cores for work that
#: is too small to split. Override with the ``DLCOURSE_NUM_THREADS`` environment variable.
DEFAULT_NUM_THREADS = 1


def get_device() -> torch.device:
    """Return ``cuda`` if a GPU is available, else ``cpu``.

    Examples
    --------
    >>> get_device().type in {"cpu", "cuda"}
    True
    """
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def set_num_threads(num_threads: int | None = None) -> int:
    """Set torch's intra-op CPU threads (default: ``DLCOURSE_NUM_THREADS`` or 1) and return it."""
    if num_threads is None:
        num_threads = int(os.environ.get("DLCOURSE_NUM_THREADS", DEFAULT_NUM_THREADS))
    num_threads = check_positive_int(num_threads, "num_threads")
    torch.set_num_threads(num_threads)
    return num_threads


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and torch (CPU and CUDA) and return a CPU generator seeded alike.

    Examples
    --------
    >>> g = seed_everything(0)
    >>> torch.rand(1, generator=g).item() == torch.rand(1, generator=make_generator(0)).item()
    True
    """
    generator = make_generator(seed)  # validates seed
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return generator


def make_generator(seed: int = 0) -> torch.Generator:
    """A CPU ``torch.Generator`` seeded with ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int | None = None, generator: torch.Generator | None = None,
          device=None, dtype=torch.float32) -> torch.Tensor:
    """Standard normal tensor drawn on the CPU (seeded), then moved to ``device``."""
    if generator is None:
        generator = make_generator(0 if seed is None else seed)
    return torch.randn(*shape, generator=generator, dtype=dtype).to(device or "cpu")


def rand(*shape: int, seed: int | None = None, generator: torch.Generator | None = None,
         device=None, dtype=torch.float32) -> torch.Tensor:
    """Uniform [0, 1) tensor drawn on the CPU (seeded), then moved to ``device``."""
    if generator is None:
        generator = make_generator(0 if seed is None else seed)
    return torch.rand(*shape, generator=generator, dtype=dtype).to(device or "cpu")
