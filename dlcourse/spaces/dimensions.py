"""The four dimensions of a search space: :class:`Categorical`, :class:`Uniform`, :class:`LogUniform` and
:class:`Integer`, each able to draw a value, lay a grid and narrow around a centre."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Categorical", "Uniform", "LogUniform", "Integer"]


@dataclass(frozen=True)
class Categorical:
    """A finite set of unordered choices; sampled uniformly.

    Parameters
    ----------
    choices : tuple
        The choices. The constructor checks nothing; :func:`categorical` refuses an empty one.
    """

    choices: tuple

    def sample(self, rng: np.random.Generator):
        """One of the choices, drawn uniformly.

        Parameters
        ----------
        rng : numpy.random.Generator
            The random generator.

        Returns
        -------
        object
            One element of ``choices``.
        """
        return self.choices[int(rng.integers(len(self.choices)))]

    def grid(self, points: int) -> list:
        """Every choice, in order.

        Parameters
        ----------
        points : int
            Ignored: a categorical grid always holds all the choices.

        Returns
        -------
        list
            The choices.
        """
        return list(self.choices)


@dataclass(frozen=True)
class Uniform:
    r"""A real interval :math:`[a, b]` sampled uniformly: :math:`x = a + (b - a)\,u,\ u \sim \mathcal U(0, 1)`.

    Parameters
    ----------
    low, high : float
        The bounds :math:`a \le b`. The constructor checks nothing; :func:`uniform` checks them.
    """

    low: float
    high: float

    def sample(self, rng: np.random.Generator) -> float:
        """One value drawn uniformly from ``[low, high]``.

        Parameters
        ----------
        rng : numpy.random.Generator
            The random generator.

        Returns
        -------
        float
            The drawn value.
        """
        return float(rng.uniform(self.low, self.high))

    def grid(self, points: int) -> list:
        """``points`` evenly spaced values from ``low`` to ``high``, both included.

        Parameters
        ----------
        points : int
            Number of values.

        Returns
        -------
        list of float
            The values, increasing.
        """
        return [float(v) for v in np.linspace(self.low, self.high, points)]

    def narrow(self, center: float, fraction: float) -> "Uniform":
        """An interval ``fraction`` times as wide, centred on ``center`` and clipped to ``[low, high]``.

        Parameters
        ----------
        center : float
            The centre of the new interval (usually the best value found so far).
        fraction : float
            Width of the new interval as a fraction of the current one.

        Returns
        -------
        Uniform
            The narrowed dimension.
        """
        half = (self.high - self.low) * fraction / 2
        return Uniform(max(self.low, center - half), min(self.high, center + half))


@dataclass(frozen=True)
class LogUniform:
    r"""A positive interval :math:`[a, b]` sampled uniformly *in the logarithm*:

    .. math:: x = \exp\bigl(\log a + (\log b - \log a)\,u\bigr),\quad u \sim \mathcal U(0, 1),

    so every decade gets the same share of samples — the right prior for scale parameters such
    as a learning rate or a weight decay. Its grid is geometric (log-spaced).

    Parameters
    ----------
    low, high : float
        The bounds :math:`0 < a \le b`. The constructor checks nothing; :func:`loguniform` checks them.
    """

    low: float
    high: float

    def sample(self, rng: np.random.Generator) -> float:
        """One value drawn log-uniformly from ``[low, high]``.

        Parameters
        ----------
        rng : numpy.random.Generator
            The random generator.

        Returns
        -------
        float
            The drawn value.
        """
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))

    def grid(self, points: int) -> list:
        """``points`` geometrically spaced values from ``low`` to ``high``, both included.

        Parameters
        ----------
        points : int
            Number of values.

        Returns
        -------
        list of float
            The values, increasing.
        """
        return [float(v) for v in np.geomspace(self.low, self.high, points)]

    def narrow(self, center: float, fraction: float) -> "LogUniform":
        """An interval ``fraction`` times as wide *in the logarithm*, centred on ``center``, clipped to ``[low, high]``.

        Parameters
        ----------
        center : float
            The centre of the new interval, ``> 0`` (usually the best value found so far).
        fraction : float
            Width of the new interval in :math:`\\log x`, as a fraction of the current one.

        Returns
        -------
        LogUniform
            The narrowed dimension.
        """
        half = (math.log(self.high) - math.log(self.low)) * fraction / 2
        return LogUniform(max(self.low, center * math.exp(-half)), min(self.high, center * math.exp(half)))


@dataclass(frozen=True)
class Integer:
    """Integers in ``[low, high]`` (both included), uniform or log-uniform (``log=True``).

    Parameters
    ----------
    low, high : int
        The bounds, both included. The constructor checks nothing; :func:`integer` checks them.
    log : bool, default False
        Sample and grid log-uniformly (then ``low >= 1``).
    """

    low: int
    high: int
    log: bool = False

    def sample(self, rng: np.random.Generator) -> int:
        """One integer drawn from ``[low, high]``, uniformly or (``log=True``) log-uniformly.

        Parameters
        ----------
        rng : numpy.random.Generator
            The random generator.

        Returns
        -------
        int
            The drawn integer.
        """
        if self.log:  # log-uniform on [low - 0.5, high + 0.5], rounded: each integer gets its log-width
            x = math.exp(rng.uniform(math.log(self.low - 0.5), math.log(self.high + 0.5)))
            return int(min(self.high, max(self.low, round(x))))
        return int(rng.integers(self.low, self.high + 1))

    def grid(self, points: int) -> list:
        """``points`` linearly (or log-) spaced values from ``low`` to ``high``, rounded, without repeats.

        Parameters
        ----------
        points : int
            Number of values before rounding; rounding may merge some.

        Returns
        -------
        list of int
            The distinct values, increasing.
        """
        spaced = np.geomspace(self.low, self.high, points) if self.log else np.linspace(self.low, self.high, points)
        return sorted({int(round(v)) for v in spaced})

    def narrow(self, center: int, fraction: float) -> "Integer":
        """A range ``fraction`` times as wide (in the logarithm with ``log=True``) around ``center``, widened to
        whole numbers and clipped to ``[low, high]``.

        Parameters
        ----------
        center : int
            The centre of the new range (usually the best value found so far).
        fraction : float
            Width of the new range as a fraction of the current one.

        Returns
        -------
        Integer
            The narrowed dimension.
        """
        if self.log:
            half = (math.log(self.high) - math.log(self.low)) * fraction / 2
            low, high = center * math.exp(-half), center * math.exp(half)
        else:
            half = (self.high - self.low) * fraction / 2
            low, high = center - half, center + half
        return Integer(max(self.low, int(math.floor(low))), min(self.high, int(math.ceil(high))), self.log)
