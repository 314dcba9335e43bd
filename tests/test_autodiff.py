import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dlcourse import autodiff as AD  # noqa: E402
from dlcourse import data  # noqa: E402
from dlcourse.autodiff import Value  # noqa: E402

from .strategies import N_EXPRESSION_VARIABLES, evaluate_expression, expressions  # noqa: E402

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


def test_errors_name_the_argument():
    with pytest.raises(TypeError, match="data must be a real number"):
        Value("1")
    with pytest.raises(ValueError, match="data must be finite"):
        Value(float("nan"))
    with pytest.raises(TypeError, match="other must be a Value or a real number"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="exponent must be a number"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="exponent=0.5 is not an integer"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="exponent=-1 at base 0"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match="log needs a positive argument"):
        Value(0.0).log()
    with pytest.raises(ValueError, match="other \\(the divisor\\) is 0"):
        Value(1.0) / 0
    with pytest.raises(TypeError, match="root must be a Value"):
        AD.topological_order(1.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        AD.autodiff_gradient_descent(lambda x: x * x, [1.0], lr=0, steps=3)
    with pytest.raises(TypeError, match="f must return a Value"):
        AD.autodiff_gradient_descent(lambda x: 1.0, [1.0], lr=0.1, steps=3)


def test_topological_order_lists_parents_first_and_each_node_once():
    x, y = Value(1.0), Value(2.0)
    z = (x * y + x).exp() * y
    order = AD.topological_order(z)
    assert order[-1] is z and len(order) == len({id(n) for n in order}) == 6
    position = {id(n): i for i, n in enumerate(order)}
    assert all(position[id(p)] < position[id(n)] for n in order for p in n.parents)


def test_draw_graph_draws_one_box_per_node_and_one_circle_per_operation():
    x, w, b = Value(1.5, "x"), Value(-0.5, "w"), Value(0.1, "b")
    out = (w * x + b).sigmoid()
    out.backward()
    fig = AD.draw_graph(out)
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    assert len(texts) == 6 + 3  # six values, three operations
    assert {"×", "+", "σ"} <= set(texts)
    assert any(t.startswith("w | -0.5") and "grad" in t for t in texts)
    plt.close(fig)
    fig, ax = plt.subplots()
    assert AD.draw_graph(Value(1.0), ax=ax, show_grad=False) is fig
    plt.close("all")


def test_autodiff_gradient_descent_follows_the_gradient():
    path = AD.autodiff_gradient_descent(lambda x, y: (x - 1) ** 2 + 10 * (y + 2) ** 2, [3.0, 1.0], lr=0.04, steps=200)
    assert path.shape == (201, 2)
    np.testing.assert_allclose(path[1], [3.0 - 0.04 * 4.0, 1.0 - 0.04 * 60.0])
    np.testing.assert_allclose(path[-1], [1.0, -2.0], atol=1e-3)


def test_logistic_gradient_matches_autograd_and_the_one_example_formula():
    g = torch.Generator().manual_seed(0)
    X, w = torch.randn(20, 4, generator=g, dtype=torch.float64), torch.randn(4, generator=g, dtype=torch.float64)
    y = (torch.rand(20, generator=g) > 0.5).long()
    wr, br = w.clone().requires_grad_(True), torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    loss = AD.logistic_loss(wr, br, X, y)
    torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(X @ wr + br, y.double()))
    loss.backward()
    gw, gb = AD.logistic_grad(w, 0.3, X, y)
    torch.testing.assert_close(gw, wr.grad)
    torch.testing.assert_close(gb, br.grad)
    x1 = X[:1]
    gw1, _ = AD.logistic_grad(w, 0.0, x1, torch.ones(1, dtype=torch.long))
    torch.testing.assert_close(gw1, -(1 - torch.sigmoid(x1[0] @ w)) * x1[0])


def test_minibatch_gd_records_every_step_and_learns_breast_cancer():
    d = data.load_breast_cancer()
    X, y = d.train
    runs = {B: AD.minibatch_gd(X, y, batch_size=B, lr=0.1, epochs=3) for B in (len(X), 32, 1)}
    for B, run in runs.items():
        assert run.steps_per_epoch == math.ceil(len(X) / B)
        assert run.step == list(range(3 * run.steps_per_epoch + 1))
        assert run.loss[0] == pytest.approx(math.log(2)) and run.loss[-1] < run.loss[0]
        assert run.seconds == sorted(run.seconds)
        np.testing.assert_allclose(run.epoch[-1], 3.0)
    assert np.all(np.diff(runs[len(X)].loss) < 0)  # full batch, small lr: the loss never rises
    assert runs[1].accuracy(*d.test) >= 0.95
    assert runs[32].loss[-1] < runs[len(X)].loss[-1]
    again = AD.minibatch_gd(X, y, batch_size=32, lr=0.1, epochs=3)
    assert again.loss == runs[32].loss  # seeded
    sparse = AD.minibatch_gd(X, y, batch_size=100, lr=0.1, epochs=1, record_every=3)
    assert sparse.step == [0, 3, 4]
    with pytest.raises(ValueError, match="X must be \\(n, d\\)"):
        AD.minibatch_gd(X, y[:-1], batch_size=4, lr=0.1)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        AD.minibatch_gd(X, y, batch_size=0, lr=0.1)
