import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dlcourse import gradcheck as G
from dlcourse import models

from .strategies import tensors


@given(x=tensors(shape=(5,), dtype=torch.float64, elements=st.floats(-3, 3), include_extremes=False))
def test_numerical_gradient_matches_known_gradients(x):
    (num,) = G.numerical_gradient(lambda t: (torch.sin(t) * t).sum(), [x])
    torch.testing.assert_close(num, torch.cos(x) * x + torch.sin(x), atol=1e-7, rtol=1e-6)


def test_correct_analytic_gradient_passes_and_planted_bug_fails():
    g = torch.Generator().manual_seed(0)
    w, x = torch.randn(4, generator=g), torch.randn(4, generator=g)
    f = lambda w, x: torch.log1p(torch.exp(-(w * x).sum()))  # logistic loss for a positive example
    right = lambda w, x: [-torch.sigmoid(-(w * x).sum()) * x, -torch.sigmoid(-(w * x).sum()) * w]
    wrong = lambda w, x: [torch.sigmoid(-(w * x).sum()) * x, -torch.sigmoid(-(w * x).sum()) * w]  # sign flipped
    ok = G.gradcheck(f, [w, x], analytic=right, names=["w", "x"])
    assert ok.passed and ok.worst().max_rel_error < 1e-7
    bad = G.gradcheck(f, [w, x], analytic=wrong, names=["w", "x"])
    assert not bad.passed and [e.passed for e in bad.entries] == [False, True]
    assert bad.worst().name == "w" and bad.worst().max_rel_error > 0.5
    assert "FAILED" in str(bad) and "BAD w" in str(bad)


def test_autograd_mode_and_model_check():
    torch.manual_seed(0)
    model = models.make_mlp(3, 2, depth=1, width=4, activation="tanh")
    X, y = torch.randn(6, 3), torch.tensor([0, 1, 0, 1, 1, 0])
    report = G.check_model_gradients(model, F.cross_entropy, X, y)
    assert report.passed and len(report.entries) == 4
    assert all(p.dtype == torch.float32 for p in model.parameters())  # the model itself is untouched
    assert G.gradcheck(lambda a: (a**2).sum(), [torch.tensor([1.0, 2.0])]).passed


def test_model_check_catches_a_planted_backward_bug():
    class BadSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be 2x

    report = G.gradcheck(lambda t: BadSquare.apply(t).sum(), [torch.tensor([1.0, -2.0, 0.5])])
    assert not report.passed and report.worst().max_rel_error == pytest.approx(0.5)


def test_relative_error_floor_and_errors():
    assert G.relative_error(torch.tensor([1e-12]), torch.tensor([0.0])).item() < 1e-3
    with pytest.raises(ValueError, match="eps must be > 0"):
        G.numerical_gradient(lambda t: t.sum(), [torch.zeros(2)], eps=0)
    with pytest.raises(TypeError, match="inputs\\[0\\] must be a torch.Tensor"):
        G.numerical_gradient(lambda t: t.sum(), [[1.0]])
    with pytest.raises(ValueError, match="fn must return a scalar"):
        G.gradcheck(lambda t: t * 2, [torch.zeros(2)])
    with pytest.raises(ValueError, match="analytic returned 1 gradients for 2 inputs"):
        G.gradcheck(lambda a, b: (a * b).sum(), [torch.ones(2), torch.ones(2)], analytic=lambda a, b: [b])
