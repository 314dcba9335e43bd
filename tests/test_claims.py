"""dlcourse.claims: the assertions behind the chapters' quantitative sentences."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from dlcourse.claims import DIVERGENCE_THRESHOLD, ClaimError, claim, claim_that, is_diverged

finite = st.floats(-1e5, 1e5, allow_nan=False)


@given(finite, finite)
def test_at_least_and_below_agree_with_the_comparison(measured, bound):
    if measured >= bound:
        claim("x is at least b", measured, at_least=bound)
    else:
        with pytest.raises(ClaimError):
            claim("x is at least b", measured, at_least=bound)
    if measured < bound:
        claim("x is below b", measured, below=bound)
    else:
        with pytest.raises(ClaimError):
            claim("x is below b", measured, below=bound)


def test_the_message_names_the_claim_the_measurement_and_the_band():
    with pytest.raises(
        ClaimError, match=r"^chapter claims: BN accuracy is above 0\.9; measured 0\.8533 \(needs > 0\.9\)$"
    ):
        claim("BN accuracy is above 0.9", 0.85333, above=0.9)
    with pytest.raises(ClaimError, match=r"needs >= 1; needs <= 0\.4"):
        claim("in [1, 2]", 0.5, at_least=1, at_most=0.4)


def test_every_element_must_hold_and_bounds_pair_element_by_element():
    claim("every seed above 0.5", torch.tensor([0.6, 0.7]), above=0.5)
    claim("Adam below SGD on every seed", np.array([0.1, 0.2]), below=[0.2, 0.3])
    with pytest.raises(ClaimError, match=r"measured \[0\.1, 0\.4\]"):
        claim("Adam below SGD on every seed", [0.1, 0.4], below=[0.2, 0.3])
    with pytest.raises(ValueError, match="below has 3 values but measured has 2"):
        claim("lengths", [0.1, 0.2], below=[1, 2, 3])


def test_nan_satisfies_no_bound_and_divergence_is_explicit():
    for bound in ("at_least", "at_most", "above", "below"):
        with pytest.raises(ClaimError):
            claim("a NaN is never in a band", math.nan, **{bound: 0.0})
    claim("the loss blows up", [0.3, math.inf], diverges=True)
    claim("the loss blows up", 10 * DIVERGENCE_THRESHOLD, diverges=True)
    with pytest.raises(ClaimError, match="needs NaN, inf"):
        claim("the loss blows up", 2.32, diverges=True)
    with pytest.raises(ClaimError, match="needs finite"):
        claim("the loss stays finite", math.nan, diverges=False)
    assert is_diverged(torch.tensor([1.0, math.nan])) and not is_diverged(3.0)


def test_claim_that_shows_what_was_measured():
    claim_that("a holds", True)
    claim_that("a numpy bool holds", np.bool_(True))
    with pytest.raises(ClaimError, match=r"^chapter claims: SGD is slowest; measured \{'SGD': 12\}$"):
        claim_that("SGD is slowest", False, measured={"SGD": 12})


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda: claim("", 1.0, above=0), TypeError, "statement"),
        (lambda: claim("s", 1.0), ValueError, "needs a bound"),
        (lambda: claim("s", "0.9", above=0), TypeError, "measured"),
        (lambda: claim("s", True, above=0), TypeError, "measured"),
        (lambda: claim("s", [], above=0), ValueError, "measured"),
        (lambda: claim("s", 1.0, above="x"), TypeError, "above"),
        (lambda: claim("s", 1.0, diverges=1), TypeError, "diverges"),
        (lambda: claim_that("s", 1), TypeError, "holds"),
    ],
)
def test_malformed_arguments_are_named(call, error, text):
    with pytest.raises(error, match=text):
        call()


def test_a_claim_error_is_an_assertion_error():
    assert issubclass(ClaimError, AssertionError)
