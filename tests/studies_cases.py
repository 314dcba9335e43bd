"""A helper the tests of dlcourse.studies share: an objective with its maximum at x = 0.3."""

from __future__ import annotations


def parabola(params, budget):
    return -((params["x"] - 0.3) ** 2)
