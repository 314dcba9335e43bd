r"""Search spaces: plain dicts ``{name: dimension}`` built from four dimensions.

:func:`categorical` (unordered choices; a plain list is shorthand for it), :func:`uniform` (a real
interval), :func:`loguniform` (a positive interval sampled uniformly in :math:`\log x`: each decade
as likely as the next, which suits learning rates and weight decays) and :func:`integer`.
:func:`sample` draws one configuration, :func:`grid` lays a grid over the space; the searches of
:mod:`dlcourse.tuning` and :mod:`dlcourse.studies` take such spaces.

The package: ``dimensions`` (the four dimension classes); here, the functions that build and check a
space, draw from it and lay a grid over it.

Examples
--------
>>> import numpy as np
>>> space = check_space({"lr": loguniform(1e-4, 1e-1), "act": ["relu", "tanh"]})
>>> sorted(sample(space, np.random.default_rng(0)))
['act', 'lr']
>>> len(grid(space, points=3))
6
"""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from .._checks import check_positive, check_positive_int
from .dimensions import Categorical, Integer, LogUniform, Uniform

__all__ = [
    "Categorical",
    "Uniform",
    "LogUniform",
    "Integer",
    "categorical",
    "uniform",
    "loguniform",
    "integer",
    "DIMENSIONS",
    "check_space",
    "sample",
    "grid",
]


def categorical(choices) -> Categorical:
    """A categorical dimension: one of ``choices`` (at least one).

    Parameters
    ----------
    choices : iterable
        The choices; an empty one raises ``ValueError``.

    Returns
    -------
    Categorical
        The dimension, its choices as a tuple.
    """
    choices = tuple(choices)
    if not choices:
        raise ValueError("choices must hold at least one value")
    return Categorical(choices)


def _interval(low, high, positive: bool = False) -> tuple[float, float]:
    low = check_positive(low, "low") if positive else float(low)
    high = check_positive(high, "high") if positive else float(high)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"low and high must be finite, got {low} and {high}")
    if high < low:
        raise ValueError(f"high must be >= low, got low={low}, high={high}")
    return low, high


def uniform(low: float, high: float) -> Uniform:
    """A real dimension sampled uniformly on ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Finite bounds with ``low <= high`` (else ``ValueError``).

    Returns
    -------
    Uniform
        The dimension.
    """
    return Uniform(*_interval(low, high))


def loguniform(low: float, high: float) -> LogUniform:
    """A positive real dimension sampled uniformly in ``log`` on ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Finite bounds with ``0 < low <= high`` (else ``ValueError``).

    Returns
    -------
    LogUniform
        The dimension.
    """
    return LogUniform(*_interval(low, high, positive=True))


def integer(low: int, high: int, *, log: bool = False) -> Integer:
    """An integer dimension on ``[low, high]`` (log-spaced with ``log=True``, then ``low >= 1``).

    Parameters
    ----------
    low, high : int
        The bounds, both included, with ``low <= high``; non-integers (bools too) raise ``TypeError``.
    log : bool, default False
        Sample and grid log-uniformly; needs ``low >= 1``.

    Returns
    -------
    Integer
        The dimension.
    """
    for value, name in ((low, "low"), (high, "high")):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if log and low < 1:
        raise ValueError(f"low must be >= 1 for a log-spaced integer dimension, got {low}")
    _interval(low, high)
    return Integer(int(low), int(high), bool(log))


DIMENSIONS = (Categorical, Uniform, LogUniform, Integer)


def check_space(space, name: str = "space") -> dict:
    """Return ``space`` with lists turned into :class:`Categorical`; refuse an empty or malformed space.

    Parameters
    ----------
    space : dict
        ``{name: dimension}``; each dimension is a :class:`Categorical`, :class:`Uniform`, :class:`LogUniform`,
        :class:`Integer`, or a list or tuple of choices. Not a dict: ``TypeError``; empty: ``ValueError``.
    name : str, default "space"
        The argument's name, used in the error messages.

    Returns
    -------
    dict
        A new dict with the same keys, every list or tuple replaced by a :class:`Categorical`.
    """
    if not isinstance(space, dict):
        raise TypeError(f"{name} must be a dict {{name: dimension}}, got {type(space).__name__}")
    if not space:
        raise ValueError(f"{name} is empty: give at least one hyperparameter to search over")
    checked = {}
    for key, dim in space.items():
        if isinstance(dim, (list, tuple)):
            dim = categorical(dim)
        if not isinstance(dim, DIMENSIONS):
            raise TypeError(
                f"{name}[{key!r}] must be categorical(), uniform(), loguniform(), integer() or a list, "
                f"got {type(dim).__name__}"
            )
        checked[key] = dim
    return checked


def sample(space: dict, rng: np.random.Generator) -> dict:
    """One configuration drawn independently from each dimension of ``space``.

    Parameters
    ----------
    space : dict
        The search space ``{name: dimension}`` (see :func:`check_space`).
    rng : numpy.random.Generator
        The random generator; the dimensions draw from it in the order of ``space``.

    Returns
    -------
    dict
        ``{name: value}``, one value per dimension.
    """
    return {key: dim.sample(rng) for key, dim in check_space(space).items()}


def grid(space: dict, points: int = 3) -> list[dict]:
    """Every configuration of the Cartesian product of the dimensions' grids.

    Categorical dimensions contribute all their choices, continuous ones ``points`` values
    (linear or log-spaced), integer ones up to ``points`` distinct values: the grid has
    :math:`\\prod_d |G_d|` points.

    Parameters
    ----------
    space : dict
        The search space ``{name: dimension}`` (see :func:`check_space`).
    points : int, default 3
        Values per continuous dimension, ``>= 1``.

    Returns
    -------
    list of dict
        The configurations ``{name: value}``, the last dimension varying fastest.
    """
    space = check_space(space)
    points = check_positive_int(points, "points")
    values = [dim.grid(points) for dim in space.values()]
    return [dict(zip(space, combo)) for combo in itertools.product(*values)]
