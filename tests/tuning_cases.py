"""A helper the tests of dlcourse.tuning share: a toy objective with a known optimum."""

from __future__ import annotations

import math


def toy(params, budget):
    """Peaks at lr = 1e-2, act = relu; more budget gets closer to the peak value."""
    return -abs(math.log10(params["lr"]) + 2) + (params.get("act") == "relu") - 1 / budget
