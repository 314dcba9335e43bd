r"""Search spaces: plain dicts ``{name: dimension}`` built from four dimensions.

:func:`categorical` (unordered choices; a plain list is shorthand for it), :func:`uniform` (a real
interval), :func:`loguniform` (a positive interval sampled uniformly in :math:`\log x`: each decade
as likely as the next, which suits learning rates and weight decays) and :func:`integer`.
:func:`sample` draws one configuration, :func:`grid` lays a grid over the space; the searches of
:mod:`dlcourse.tuning` and :mod:`dlcourse.studies` take such spaces.

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
from dataclasses import dataclass

import numpy as np

from ._checks import check_positive, check_positive_int

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


@dataclass(frozen=True)
class Categorical:
    """A finite set of unordered choices; sampled uniformly."""

    choices: tuple

    def sample(self, rng: np.random.Generator):
        return self.choices[int(rng.integers(len(self.choices)))]

    def grid(self, points: int) -> list:
        return list(self.choices)


@dataclass(frozen=True)
class Uniform:
    r"""A real interval :math:`[a, b]` sampled uniformly: :math:`x = a + (b - a)\,u,\ u \sim \mathcal U(0, 1)`."""

    low: float
    high: float

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def grid(self, points: int) -> list:
        return [float(v) for v in np.linspace(self.low, self.high, points)]

    def narrow(self, center: float, fraction: float) -> "Uniform":
        half = (self.high - self.low) * fraction / 2
        return Uniform(max(self.low, center - half), min(self.high, center + half))


@dataclass(frozen=True)
class LogUniform:
    r"""A positive interval :math:`[a, b]` sampled uniformly *in the logarithm*:

    .. math:: x = \exp\bigl(\log a + (\log b - \log a)\,u\bigr),\quad u \sim \mathcal U(0, 1),

    so every decade gets the same share of samples — the right prior for scale parameters such
    as a learning rate or a weight decay. Its grid is geometric (log-spaced)."""

    low: float
    high: float

    def sample(self, rng: np.random.Generator) -> float:
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))

    def grid(self, points: int) -> list:
        return [float(v) for v in np.geomspace(self.low, self.high, points)]

    def narrow(self, center: float, fraction: float) -> "LogUniform":
        half = (math.log(self.high) - math.log(self.low)) * fraction / 2
        return LogUniform(max(self.low, center * math.exp(-half)), min(self.high, center * math.exp(half)))


@dataclass(frozen=True)
class Integer:
    """Integers in ``[low, high]`` (both included), uniform or log-uniform (``log=True``)."""

    low: int
    high: int
    log: bool = False

    def sample(self, rng: np.random.Generator) -> int:
        if self.log:  # log-uniform on [low - 0.5, high + 0.5], rounded: each integer gets its log-width
            x = math.exp(rng.uniform(math.log(self.low - 0.5), math.log(self.high + 0.5)))
            return int(min(self.high, max(self.low, round(x))))
        return int(rng.integers(self.low, self.high + 1))

    def grid(self, points: int) -> list:
        spaced = np.geomspace(self.low, self.high, points) if self.log else np.linspace(self.low, self.high, points)
        return sorted({int(round(v)) for v in spaced})

    def narrow(self, center: int, fraction: float) -> "Integer":
        if self.log:
            half = (math.log(self.high) - math.log(self.low)) * fraction / 2
            low, high = center * math.exp(-half), center * math.exp(half)
        else:
            half = (self.high - self.low) * fraction / 2
            low, high = center - half, center + half
        return Integer(max(self.low, int(math.floor(low))), min(self.high, int(math.ceil(high))), self.log)


def categorical(choices) -> Categorical:
    """A categorical dimension: one of ``choices`` (at least one)."""
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
    """A real dimension sampled uniformly on ``[low, high]``."""
    return Uniform(*_interval(low, high))


def loguniform(low: float, high: float) -> LogUniform:
    """A positive real dimension sampled uniformly in ``log`` on ``[low, high]``."""
    return LogUniform(*_interval(low, high, positive=True))


def integer(low: int, high: int, *, log: bool = False) -> Integer:
    """An integer dimension on ``[low, high]`` (log-spaced with ``log=True``, then ``low >= 1``)."""
    for value, name in ((low, "low"), (high, "high")):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if log and low < 1:
        raise ValueError(f"low must be >= 1 for a log-spaced integer dimension, got {low}")
    _interval(low, high)
    return Integer(int(low), int(high), bool(log))


DIMENSIONS = (Categorical, Uniform, LogUniform, Integer)


def check_space(space, name: str = "space") -> dict:
    """Return ``space`` with lists turned into :class:`Categorical`; refuse an empty or malformed space."""
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
    """One configuration drawn independently from each dimension of ``space``."""
    return {key: dim.sample(rng) for key, dim in check_space(space).items()}


def grid(space: dict, points: int = 3) -> list[dict]:
    """Every configuration of the Cartesian product of the dimensions' grids.

    Categorical dimensions contribute all their choices, continuous ones ``points`` values
    (linear or log-spaced), integer ones up to ``points`` distinct values: the grid has
    :math:`\\prod_d |G_d|` points.
    """
    space = check_space(space)
    points = check_positive_int(points, "points")
    values = [dim.grid(points) for dim in space.values()]
    return [dict(zip(space, combo)) for combo in itertools.product(*values)]
