"""Hypothesis strategies shared by every test module (one place, as in minitorch)."""

from __future__ import annotations

import numpy as np
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


# --------------------------------------------------------------------------- initialization (tests/test_init.py)
#: Weight shapes ``(out, in, *kernel)`` of Linear (2-D) and Conv1d/2d (3-D/4-D) layers.
weight_shapes = st.one_of(
    st.tuples(st.integers(1, 64), st.integers(1, 64)),
    st.tuples(st.integers(1, 16), st.integers(1, 8), st.integers(1, 5)),
    st.tuples(st.integers(1, 16), st.integers(1, 8), st.integers(1, 4), st.integers(1, 4)),
)

#: Clipping thresholds from tiny to larger than most gradients.
clip_thresholds = st.floats(min_value=1e-3, max_value=50.0, allow_nan=False)


@st.composite
def parameter_sets(draw, max_params: int = 4):
    """A list of gradient tensors (one per parameter, drawn shapes) with entries up to ±100."""
    n = draw(st.integers(1, max_params))
    seed = draw(st.integers(0, 2**31 - 1))
    g = torch.Generator().manual_seed(seed)
    scale = draw(st.sampled_from([1e-3, 1.0, 100.0]))
    return [torch.randn(draw(shapes), generator=g) * scale for _ in range(n)]


#: Dropout's drop probability p: [0, 1) (p = 1 would drop everything).
drop_probabilities = st.floats(min_value=0.0, max_value=0.99)
#: Input shapes for batch norm: (N, C), (N, C, L) or (N, C, H, W), at least 2 values per channel.
bn_shapes = st.one_of(
    st.tuples(st.integers(2, 16), st.integers(1, 6)),
    st.tuples(st.integers(1, 6), st.integers(1, 4), st.integers(2, 6)),
    st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 4), st.integers(2, 4)),
)


def surface_points():
    """2-D float64 points inside the window of every test surface."""
    coord = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
    return st.tuples(coord, coord).map(lambda xy: torch.tensor(xy, dtype=torch.float64))


# --------------------------------------------------------------------------- autodiff expressions
#: Operations of a random scalar expression (see :func:`expressions` and :func:`evaluate_expression`).
UNARY_OPS = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "square", "cube", "sqrt", "inverse", "reuse"]
BINARY_OPS = ["add", "sub", "mul", "div"]
N_EXPRESSION_VARIABLES = 3


def expressions(max_leaves: int = 12):
    """Random expression trees over variables ``("var", i)`` (i < 3, so variables are reused)
    and constants ``("const", c)``; inner nodes are ``(op, child)`` or ``(op, left, right)``."""
    leaves = st.one_of(
        st.integers(0, N_EXPRESSION_VARIABLES - 1).map(lambda i: ("var", i)),
        st.floats(-2, 2, allow_nan=False).map(lambda c: ("const", c)),
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.tuples(st.sampled_from(UNARY_OPS), children),
            st.tuples(st.sampled_from(BINARY_OPS), children, children),
        ),
        max_leaves=max_leaves,
    )


def evaluate_expression(expr, variables, lib):
    """Evaluate ``expr`` on ``variables`` with ``lib`` (``"value"`` for dlcourse.autodiff, ``"torch"``).

    Domain-sensitive operations get safe arguments written with the same primitives in both
    libraries: ``log(u² + 0.5)``, ``a / (b² + 1)``, ``(u² + 0.25) ** 0.5`` and ``** -1``;
    ``reuse`` evaluates its child once and uses the node twice (``u * u + u``).
    """

    def unary(name, u):
        if lib == "torch":
            return {
                "exp": torch.exp,
                "log": torch.log,
                "tanh": torch.tanh,
                "sigmoid": torch.sigmoid,
                "relu": torch.relu,
            }[name](u)
        return getattr(u, name)()

    def ev(node):
        kind = node[0]
        if kind == "var":
            return variables[node[1]]
        if kind == "const":
            return node[1] if lib == "value" else torch.tensor(node[1], dtype=torch.float64)
        if kind in BINARY_OPS:
            a, b = ev(node[1]), ev(node[2])
            if kind == "add":
                return a + b
            if kind == "sub":
                return a - b
            if kind == "mul":
                return a * b
            return a / (b * b + 1)
        u = ev(node[1])
        if isinstance(u, float):  # a constant subtree: lift it so that methods exist
            u = _lift(u, lib)
        if kind == "neg":
            return -u
        if kind == "log":
            return unary("log", u * u + 0.5)
        if kind in ("exp", "tanh", "sigmoid", "relu"):
            return unary(kind, u)
        if kind == "square":
            return u**2
        if kind == "cube":
            return u**3
        if kind == "sqrt":
            return (u * u + 0.25) ** 0.5
        if kind == "inverse":
            return (u * u + 1) ** -1
        if kind == "reuse":
            return u * u + u
        raise ValueError(f"unknown operation {kind!r}")

    return ev(expr)


def _lift(c, lib):
    if lib == "torch":
        return torch.tensor(c, dtype=torch.float64)
    from dlcourse.autodiff import Value

    return Value(c)


@st.composite
def label_pairs(draw, max_classes: int = 4, max_size: int = 40):
    """``(y_true, y_pred)`` integer label lists of equal length over at most ``max_classes`` classes."""
    n = draw(st.integers(min_value=1, max_value=max_size))
    k = draw(st.integers(min_value=2, max_value=max_classes))
    labels = st.lists(st.integers(min_value=0, max_value=k - 1), min_size=n, max_size=n)
    return draw(labels), draw(labels)


@st.composite
def binary_scores(draw, max_size: int = 40):
    """``(y_true, y_score)`` with both classes present and scores drawn from a few values (many ties)."""
    n = draw(st.integers(min_value=2, max_value=max_size))
    y = draw(st.lists(st.integers(min_value=0, max_value=1), min_size=n, max_size=n))
    y[0], y[1] = 0, 1
    levels = draw(st.integers(min_value=1, max_value=6))
    scores = draw(st.lists(st.integers(min_value=0, max_value=levels), min_size=n, max_size=n))
    return y, [s / levels for s in scores]


@st.composite
def image_batches(draw, max_side: int = 7):
    """A float32 batch ``(N, C, H, W)`` of small images with values in [-1, 1] (augmentation tests)."""
    n, c = draw(st.integers(1, 4)), draw(st.sampled_from([1, 3]))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    seed = draw(st.integers(0, 2**31 - 1))
    return torch.rand(n, c, h, w, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@st.composite
def split_cases(draw, max_size: int = 120):
    """``(n, test_size, seed, labels or None)``: a split scikit-learn's ``train_test_split`` accepts."""
    n = draw(st.integers(min_value=4, max_value=max_size))
    test_size = draw(st.floats(min_value=0.05, max_value=0.7))
    seed = draw(st.integers(min_value=0, max_value=2**31 - 1))
    if not draw(st.booleans()):
        return n, test_size, seed, None
    n_classes = draw(st.integers(min_value=2, max_value=max(2, min(6, n // 4))))
    labels = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n)))
    return n, test_size, seed, labels
