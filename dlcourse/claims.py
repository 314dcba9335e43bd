"""Claims: what a chapter's prose says about an output, asserted in the notebook.

A training result, a floating-point residue or a divergence demo gives different digits on
another CPU (PyTorch picks its kernels by the processor's capabilities) or on a GPU, so the
course does not compare such outputs digit by digit. It checks what the text *says* about
them instead: "batch norm reaches above 0.9 accuracy", "the two formulations agree to 1e-6",
"the plain network diverges". Each such sentence has a :func:`claim` behind it, in a cell
hidden from the rendered book (tag ``remove-cell``). Bands are wide enough to hold across
seeds and hardware and narrow enough to fail when the sentence is false.

A failed claim raises :class:`ClaimError` with a message that names the claim and what was
measured, e.g. ``chapter claims: BN accuracy is above 0.9; measured 0.8533 (needs >= 0.9)``.

Examples
--------
>>> claim("the residue is tiny", 3e-8, at_most=1e-6)
>>> claim("Adam ends lower than SGD", [0.1, 0.2], below=[0.5, 0.6])
>>> claim("the loss blows up", float("nan"), diverges=True)
>>> claim("accuracy is above 0.9", 0.853, at_least=0.9)
Traceback (most recent call last):
...
dlcourse.claims.ClaimError: chapter claims: accuracy is above 0.9; measured 0.853 (needs >= 0.9)
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

__all__ = [
    "ClaimError",
    "claim",
    "claim_that",
    "is_diverged",
    "DIVERGENCE_THRESHOLD",
]


#: A value this large (in absolute value) counts as diverged, like a NaN or an infinity.
DIVERGENCE_THRESHOLD = 1e6


class ClaimError(AssertionError):
    """A sentence of the course states something that the notebook's own output contradicts."""


def _as_floats(value, name: str) -> list[float]:
    """``value`` (a number, a tensor, an array or a sequence of numbers) as a flat list of floats."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number or a sequence of numbers, got bool (use claim_that)")
    if isinstance(value, numbers.Real):
        return [float(value)]
    if isinstance(value, torch.Tensor):
        return [float(v) for v in value.detach().reshape(-1).cpu().tolist()]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # NumPy arrays and scalars
        return _as_floats(value.tolist(), name)
    if isinstance(value, (list, tuple)):
        out: list[float] = []
        for item in value:
            out += _as_floats(item, name)
        return out
    raise TypeError(f"{name} must be a number, a tensor or a sequence of numbers, got {type(value).__name__}")


def _show(values: list[float]) -> str:
    text = [f"{v:.4g}" for v in values]
    return text[0] if len(text) == 1 else "[" + ", ".join(text) + "]"


def is_diverged(value, threshold: float = DIVERGENCE_THRESHOLD) -> bool:
    """Whether ``value`` (or any element of it) is NaN, infinite, or larger than ``threshold`` in size.

    Parameters
    ----------
    value : number, tensor, array or sequence of numbers
        What to test (not a bool: ``TypeError``).
    threshold : float, default DIVERGENCE_THRESHOLD
        The largest absolute value that still counts as not diverged.

    Returns
    -------
    bool
        ``True`` when some element is NaN, infinite or has ``abs(v) > threshold``.

    Examples
    --------
    >>> is_diverged(float("inf")), is_diverged(2.3), is_diverged([0.1, 1e9])
    (True, False, True)
    """
    return any(not math.isfinite(v) or abs(v) > threshold for v in _as_floats(value, "value"))


def claim(
    statement: str, measured, *, at_least=None, at_most=None, above=None, below=None, diverges: bool | None = None
) -> None:
    """Assert that ``measured`` satisfies the band a sentence of the chapter states.

    Each bound given must hold for every element of ``measured``:
    ``at_least`` (:math:`m \\ge a`), ``at_most`` (:math:`m \\le b`), ``above`` (:math:`m > a`),
    ``below`` (:math:`m < b`). A bound may itself be a sequence of the same length as
    ``measured`` (element by element, e.g. "Adam ends below SGD on every seed"). NaN satisfies
    no bound. ``diverges=True`` requires :func:`is_diverged`, ``diverges=False`` requires
    every element finite and at most :data:`DIVERGENCE_THRESHOLD` in size.

    Parameters
    ----------
    statement : str
        The sentence (or its gist) as the chapter states it; it heads the failure message.
    measured : number, tensor, array or sequence of numbers
        What the notebook computed.
    at_least, at_most, above, below : number or sequence of numbers, optional
        The band the statement implies. At least one bound or ``diverges`` must be given.
    diverges : bool, optional
        Whether the statement says the value blows up (NaN, infinity, or huge).

    Raises
    ------
    ClaimError
        When the measured value falls outside the band.
    TypeError, ValueError
        When the arguments are malformed (no bound, lengths that do not match, ...).
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError("statement must be a non-empty str")
    bounds = {"at_least": at_least, "at_most": at_most, "above": above, "below": below}
    given = {k: v for k, v in bounds.items() if v is not None}
    if not given and diverges is None:
        raise ValueError("claim needs a bound: at_least, at_most, above, below or diverges")
    values = _as_floats(measured, "measured")
    if not values:
        raise ValueError("measured must hold at least one number")

    failures = []
    if diverges is not None:
        if not isinstance(diverges, bool):
            raise TypeError(f"diverges must be a bool, got {type(diverges).__name__}")
        if is_diverged(values) != diverges:
            failures.append("needs NaN, inf or |value| > 1e6" if diverges else "needs finite values")

    tests = {
        "at_least": (">=", lambda m, b: m >= b),
        "at_most": ("<=", lambda m, b: m <= b),
        "above": (">", lambda m, b: m > b),
        "below": ("<", lambda m, b: m < b),
    }
    for name, bound in given.items():
        limits = _as_floats(bound, name)
        if len(limits) == 1:
            limits = limits * len(values)
        if len(limits) != len(values):
            raise ValueError(f"{name} has {len(limits)} values but measured has {len(values)}")
        symbol, holds = tests[name]
        if not all(holds(m, b) for m, b in zip(values, limits)):
            failures.append(f"needs {symbol} {_show(_as_floats(bound, name))}")
    if failures:
        raise ClaimError(f"chapter claims: {statement}; measured {_show(values)} ({'; '.join(failures)})")


def claim_that(statement: str, holds: bool, measured=None) -> None:
    """Assert a statement that is not a numeric band (an ordering, a set equality, ...).

    Parameters
    ----------
    statement : str
        The sentence as the chapter states it.
    holds : bool
        Whether it holds for what the notebook computed.
    measured : object, optional
        What was measured, shown in the failure message.

    Examples
    --------
    >>> claim_that("the best learning rate is the middle one", [0.3, 0.1, 0.4].index(0.1) == 1)
    >>> claim_that("SGD is slowest", False, measured={"SGD": 12, "Adam": 30})
    Traceback (most recent call last):
    ...
    dlcourse.claims.ClaimError: chapter claims: SGD is slowest; measured {'SGD': 12, 'Adam': 30}
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError("statement must be a non-empty str")
    if not isinstance(holds, (bool, np.bool_)):
        raise TypeError(f"holds must be a bool, got {type(holds).__name__}")
    if not bool(holds):
        shown = "" if measured is None else f"; measured {measured!r}"
        raise ClaimError(f"chapter claims: {statement}{shown}")
