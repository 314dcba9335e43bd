"""dlcourse.autodiff.engine: Value's gradients against torch.autograd on random expressions, reused nodes,
deep graphs, zeroing and accumulating; the topological order."""

import math
import sys

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from dlcourse import autodiff as AD
from dlcourse.autodiff import Value

from .strategies import N_EXPRESSION_VARIABLES, evaluate_expression, expressions

point = st.lists(st.floats(-2, 2, allow_nan=False), min_size=N_EXPRESSION_VARIABLES, max_size=N_EXPRESSION_VARIABLES)


@given(expr=expressions(), xs=point)
def test_random_expressions_match_torch_autograd(expr, xs):
    values = [Value(x) for x in xs]
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    try:
        out = evaluate_expression(expr, values, "value")
    except OverflowError:
        assume(False)
    ref = evaluate_expression(expr, tensors, "torch")
    assume(isinstance(out, Value) and ref.requires_grad)
    assume(math.isfinite(out.data) and abs(out.data) < 1e8)
    out.backward()
    grads = torch.autograd.grad(ref, tensors, allow_unused=True)
    assert out.data == pytest.approx(ref.item(), rel=1e-6, abs=1e-6)
    for v, g in zip(values, grads):
        expected = 0.0 if g is None else g.item()
        assume(math.isfinite(expected) and abs(expected) < 1e8)
        assert v.grad == pytest.approx(expected, rel=1e-6, abs=1e-6)


@given(expr=expressions(), xs=point)
def test_backward_again_after_zero_grad_gives_the_same_gradients(expr, xs):
    values = [Value(x) for x in xs]
    try:
        out = evaluate_expression(expr, values, "value")
    except OverflowError:
        assume(False)
    assume(isinstance(out, Value))
    out.backward()
    first = [v.grad for v in values]
    out.zero_grad()
    assert all(node.grad == 0.0 for node in AD.topological_order(out))
    out.backward()
    assert [v.grad for v in values] == first
    out.backward()  # without zeroing, gradients accumulate as in PyTorch
    assert [v.grad for v in values] == pytest.approx([2 * g for g in first])


def test_reused_nodes_accumulate_every_path():
    x = Value(3.0)
    y = x * x  # x used twice by one node
    z = y + y * x  # y used twice, x a third time: z = x^2 + x^3
    z.backward()
    assert z.data == 36.0 and x.grad == 2 * 3.0 + 3 * 3.0**2
    a = Value(0.5)
    b = a.tanh()
    c = b * b.exp() - b / (a + 2)
    c.backward()
    ta = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    tb = torch.tanh(ta)
    (tb * torch.exp(tb) - tb / (ta + 2)).backward()
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12)


def test_deep_chain_has_no_recursion_limit():
    depth = 5_000
    assert depth > sys.getrecursionlimit()
    x = Value(0.3)
    h = x
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    th = t
    for i in range(depth):
        h = (h * 0.999 + x * 1e-3).tanh() if i % 2 else h + 0.0001 * x
        th = torch.tanh(th * 0.999 + t * 1e-3) if i % 2 else th + 0.0001 * t
    h.backward()
    th.backward()
    assert len(AD.topological_order(h)) > 3 * depth
    assert h.data == pytest.approx(th.item(), rel=1e-9)
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-6)
    h.zero_grad()
    assert x.grad == 0.0


@pytest.mark.parametrize("x", [-1e4, -30.0, -1.0, 0.0, 1.0, 30.0, 1e4])
def test_unary_operations_match_torch(x):
    for name, fn in [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu)]:
        v = Value(x)
        out = getattr(v, name)()
        out.backward()
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        fn(t).backward()
        assert out.data == pytest.approx(fn(t).item(), abs=1e-12)
        assert v.grad == pytest.approx(t.grad.item(), abs=1e-12)


def test_mixing_numbers_and_operator_variants():
    x = Value(2.0)
    out = (1 - x) + (3 / x) + (2 * x) + (x - 1) / 4 + (-x) ** 2 + x**0.5
    out.backward()
    t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    ref = (1 - t) + (3 / t) + (2 * t) + (t - 1) / 4 + (-t) ** 2 + t**0.5
    ref.backward()
    assert out.data == pytest.approx(ref.item()) and x.grad == pytest.approx(t.grad.item())
    assert [p.data for p in (x * 3).parents] == [2.0, 3.0] and (x * 3).local_grads == (3.0, 2.0)
    assert "data=2" in repr(x) and "x:" in repr(Value(1.0, label="x"))


def test_topological_order_lists_parents_first_and_each_node_once():
    x, y = Value(1.0), Value(2.0)
    z = (x * y + x).exp() * y
    order = AD.topological_order(z)
    assert order[-1] is z and len(order) == len({id(n) for n in order}) == 6
    position = {id(n): i for i, n in enumerate(order)}
    assert all(position[id(p)] < position[id(n)] for n in order for p in n.parents)
