"""Where code runs and how reproducible it is: device, seeds, threads, random draws.

The course's rule for randomness: draw random tensors on the CPU from a seeded
``torch.Generator`` and *then* move them to the device. The same seed then gives the
same numbers on a laptop, in Colab and on a GPU.
"""

from __future__ import annotations

import functools
import os
import random
import sys

import numpy as np
import torch
import torch._compile  # the module of torch's "do not compile" wrapper, recognised below

from ._checks import check_positive_int

__all__ = [
    "DEFAULT_NUM_THREADS",
    "defer_dynamo_import",
    "get_device",
    "resolve_device",
    "set_num_threads",
    "seed_everything",
    "make_generator",
    "randn",
    "rand",
]

#: Default number of torch CPU threads. Measured on the course's 2-core machine
#: (``benchmarks``/CONTRIBUTING.md): the tiny models of this course run faster on one
#: thread than on two, because two threads fight over two shared cores for work that
#: is too small to split. Override with the ``DLCOURSE_NUM_THREADS`` environment variable.
DEFAULT_NUM_THREADS = 1


def _dynamo_disabled_when_loaded(fn, recursive: bool):
    """``fn``, called directly while TorchDynamo is not loaded, else through ``torch._dynamo.disable``."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if "torch._dynamo" not in sys.modules:
            return fn(*args, **kwargs)
        import torch._dynamo

        disabled = torch._dynamo.disable(fn, recursive, wrapping=False)
        setattr(fn, "__dynamo_disable", disabled)  # torch's own cache: later calls skip this wrapper
        return disabled(*args, **kwargs)

    return call


def defer_dynamo_import() -> list[str]:
    """Let ``torch.optim.Optimizer``'s own methods run without importing TorchDynamo until something else loads it.

    Why: a few ``Optimizer`` methods (``__init__`` reaches ``add_param_group``; ``zero_grad``,
    ``state_dict``, ``load_state_dict``) are wrapped by ``torch._disable_dynamo``, which imports
    ``torch._dynamo`` on its first call so as to mark the method "do not compile". That import takes
    about 1.5 s on the course's machine, in every notebook and every graded submission, for a course
    that never compiles. (The course's optimizers, :mod:`dlcourse.optim`, inherit these methods; the
    ``step`` of torch.optim's own classes imports Dynamo regardless, which is why ``training.fit``
    builds the course's.) Marking a method
    "do not compile" matters only while Dynamo can trace, which needs ``torch._dynamo`` loaded: so
    each wrapped method gets, in the cache slot torch's wrapper reads first, a function that
    calls the method directly while ``torch._dynamo`` is not in ``sys.modules`` and hands over to
    ``torch._dynamo.disable`` (as torch would) once it is. Applied at ``import dlcourse``; it does
    nothing if Dynamo is already loaded or torch's wrapper does not look as expected (another torch
    version).

    Returns
    -------
    list of str
        Returns the names of the methods it prepared (empty when Dynamo is already loaded).
    """
    from torch.optim import Optimizer

    if "torch._dynamo" in sys.modules:
        return []
    prepared = []
    for name, method in vars(Optimizer).items():
        fn = getattr(method, "__wrapped__", None)
        code, closure = getattr(method, "__code__", None), getattr(method, "__closure__", None)
        if fn is None or code is None or not closure or code.co_filename != torch._compile.__file__:
            continue
        cells = dict(zip(code.co_freevars, (c.cell_contents for c in closure)))
        if cells.get("fn") is not fn or not isinstance(cells.get("recursive"), bool):
            continue
        if getattr(fn, "__dynamo_disable", None) is None:
            setattr(fn, "__dynamo_disable", _dynamo_disabled_when_loaded(fn, cells["recursive"]))
        prepared.append(name)
    return prepared


def get_device() -> torch.device:
    """Return ``cuda`` if a GPU is available, else ``cpu``.

    Returns
    -------
    torch.device
        ``device(type='cuda')`` or ``device(type='cpu')``.

    Examples
    --------
    >>> get_device().type in {"cpu", "cuda"}
    True
    """
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def resolve_device(device=None) -> torch.device:
    """The device to run on: ``device`` (a name or ``torch.device``) if given, else :func:`get_device`.

    The one place where the library's ``device=None`` defaults are resolved
    (:func:`dlcourse.training.fit`, and through it :mod:`dlcourse.strategy`).

    Parameters
    ----------
    device : str or torch.device, optional
        E.g. ``"cpu"``, ``"cuda:0"``; ``None`` picks :func:`get_device`.

    Returns
    -------
    torch.device
        The device.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    >>> resolve_device() == get_device()
    True
    """
    return torch.device(device) if device is not None else get_device()


def set_num_threads(num_threads: int | None = None) -> int:
    """Set torch's intra-op CPU threads (default: ``DLCOURSE_NUM_THREADS`` or 1) and return it.

    Parameters
    ----------
    num_threads : int, optional
        Number of threads, >= 1; ``None`` reads the ``DLCOURSE_NUM_THREADS`` environment variable,
        else uses :data:`DEFAULT_NUM_THREADS`.

    Returns
    -------
    int
        The number of threads set.
    """
    if num_threads is None:
        num_threads = int(os.environ.get("DLCOURSE_NUM_THREADS", DEFAULT_NUM_THREADS))
    num_threads = check_positive_int(num_threads, "num_threads")
    torch.set_num_threads(num_threads)
    return num_threads


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and torch (CPU, and CUDA or MPS when present) and return a CPU generator seeded alike.

    torch's own generators are seeded as ``torch.manual_seed`` seeds them, but an accelerator only when
    there is one: on a machine without CUDA, ``torch.manual_seed`` still queues a seeding for CUDA (and
    for XPU and MTIA), recording the caller's stack each time, about a millisecond per call in a
    notebook. The course seeds before every training run; a tuning chapter trains hundreds.

    Parameters
    ----------
    seed : int, default 0
        A non-negative int (``ValueError`` otherwise); NumPy gets ``seed % 2**32``.

    Returns
    -------
    torch.Generator
        A CPU generator seeded with ``seed``, as :func:`make_generator` makes.

    Examples
    --------
    >>> g = seed_everything(0)
    >>> torch.rand(1, generator=g).item() == torch.rand(1, generator=make_generator(0)).item()
    True
    """
    generator = make_generator(seed)  # validates seed
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.default_generator.manual_seed(seed)  # what torch.manual_seed does for the CPU
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    if torch.backends.mps.is_available():
        torch.mps.manual_seed(seed)
    return generator


def make_generator(seed: int = 0) -> torch.Generator:
    """A CPU ``torch.Generator`` seeded with ``seed``.

    Parameters
    ----------
    seed : int, default 0
        A non-negative int; anything else (a bool, a float, a negative number) raises ``ValueError``.

    Returns
    -------
    torch.Generator
        The seeded generator.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    return torch.Generator().manual_seed(seed)


def randn(
    *shape: int, seed: int | None = None, generator: torch.Generator | None = None, device=None, dtype=torch.float32
) -> torch.Tensor:
    """Standard normal tensor drawn on the CPU (seeded), then moved to ``device``.

    Parameters
    ----------
    *shape : int
        The tensor's shape, e.g. ``randn(3, 4)``.
    seed : int, optional
        Seed of a fresh CPU generator (non-negative); ``None`` means 0, so every call without a seed or
        generator returns the same numbers.
    generator : torch.Generator, optional
        A CPU generator to draw from instead (it advances); overrides ``seed``.
    device : str or torch.device, optional
        Where the result goes; ``None`` keeps it on the CPU.
    dtype : torch.dtype, default torch.float32
        A floating-point dtype.

    Returns
    -------
    torch.Tensor
        Standard normal draws of the given shape, on ``device``.
    """
    if generator is None:
        generator = make_generator(0 if seed is None else seed)
    return torch.randn(*shape, generator=generator, dtype=dtype).to(device or "cpu")


def rand(
    *shape: int, seed: int | None = None, generator: torch.Generator | None = None, device=None, dtype=torch.float32
) -> torch.Tensor:
    """Uniform [0, 1) tensor drawn on the CPU (seeded), then moved to ``device``.

    Parameters
    ----------
    *shape : int
        The tensor's shape, e.g. ``randn(3, 4)``.
    seed : int, optional
        Seed of a fresh CPU generator (non-negative); ``None`` means 0, so every call without a seed or
        generator returns the same numbers.
    generator : torch.Generator, optional
        A CPU generator to draw from instead (it advances); overrides ``seed``.
    device : str or torch.device, optional
        Where the result goes; ``None`` keeps it on the CPU.
    dtype : torch.dtype, default torch.float32
        A floating-point dtype.

    Returns
    -------
    torch.Tensor
        Uniform draws in [0, 1) of the given shape, on ``device``.
    """
    if generator is None:
        generator = make_generator(0 if seed is None else seed)
    return torch.rand(*shape, generator=generator, dtype=dtype).to(device or "cpu")
