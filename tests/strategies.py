"""Hypothesis strategies shared by every test module (one place, as in minitorch)."""

from __future__ import annotations

import torch
from hypothesis import strategies as st

#: Values every activation must survive: zeros, tiny, moderate and extreme magnitudes.
EXTREMES = [0.0, -0.0, 1e-8, -1e-8, 1.0, -1.0, 20.0, -20.0, 88.0, -88.0, 1e4, -1e4]

finite_floats = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False, width=32)
shapes = st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=3).map(tuple)
dtypes = st.sampled_from([torch.float32, torch.float64])


@st.composite
def tensors(draw, shape=None, dtype=None, elements=finite_floats, include_extremes: bool = True):
    """A float tensor of a drawn shape, with values in [-1e4, 1e4] (optionally seeded with extremes)."""
    shape = draw(shapes) if shape is None else shape
    dtype = draw(dtypes) if dtype is None else dtype
    n = 1
    for s in shape:
        n *= s
    values = draw(st.lists(elements, min_size=n, max_size=n))
    if include_extremes:
        picks = draw(st.lists(st.sampled_from(EXTREMES), max_size=min(n, 4)))
        values[: len(picks)] = picks
    return torch.tensor(values, dtype=dtype).reshape(shape)


def extreme_tensor(dtype=torch.float32) -> torch.Tensor:
    """Every value of :data:`EXTREMES` plus a dense grid on [-30, 30]."""
    return torch.cat([torch.tensor(EXTREMES, dtype=dtype), torch.linspace(-30, 30, 601, dtype=dtype)])


@st.composite
def image_batches(draw, max_side: int = 7):
    """A float32 batch ``(N, C, H, W)`` of small images with values in [-1, 1] (augmentation tests)."""
    n, c = draw(st.integers(1, 4)), draw(st.sampled_from([1, 3]))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    seed = draw(st.integers(0, 2**31 - 1))
    return torch.rand(n, c, h, w, generator=torch.Generator().manual_seed(seed)) * 2 - 1
