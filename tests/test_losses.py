"""dlcourse.losses against torch.nn.functional (values and gradients), stability, errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from sklearn.utils.class_weight import compute_class_weight

from dlcourse import losses as L

from .strategies import tensors

TOL = dict(atol=1e-5, rtol=1e-5)
REDUCTIONS = ["mean", "sum", "none"]


def pair(x: torch.Tensor):
    target = torch.flip(x, dims=[0]) * 0.5 + 1.0
    return x, target


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(x=tensors(include_extremes=False))
def test_regression_losses_match_torch(reduction, x):
    out, target = pair(x)
    torch.testing.assert_close(
        L.mse_loss(out, target, reduction=reduction), F.mse_loss(out, target, reduction=reduction), **TOL
    )
    torch.testing.assert_close(
        L.mae_loss(out, target, reduction=reduction), F.l1_loss(out, target, reduction=reduction), **TOL
    )
    for delta in (0.5, 1.0, 3.0):
        torch.testing.assert_close(
            L.huber_loss(out, target, delta=delta, reduction=reduction),
            F.huber_loss(out, target, delta=delta, reduction=reduction),
            **TOL,
        )


def test_huber_gradient_matches_torch():
    x = torch.linspace(-5, 5, 41, dtype=torch.float64)
    t = torch.zeros_like(x)
    a, b = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    L.huber_loss(a, t, delta=1.5).backward()
    F.huber_loss(b, t, delta=1.5).backward()
    torch.testing.assert_close(a.grad, b.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, 3.0])
def test_bce_with_logits_matches_torch_even_at_extremes(reduction, pos_weight):
    z = torch.tensor([-1e4, -100.0, -20.0, -1.0, 0.0, 1e-8, 2.0, 30.0, 100.0, 1e4], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    pw = None if pos_weight is None else torch.tensor(pos_weight, dtype=torch.float64)
    ours = L.bce_with_logits(z, y, pos_weight=pos_weight, reduction=reduction)
    theirs = F.binary_cross_entropy_with_logits(z, y, pos_weight=pw, reduction=reduction)
    torch.testing.assert_close(ours, theirs)
    assert torch.isfinite(ours).all()
    a, b = z.clone().requires_grad_(True), z.clone().requires_grad_(True)
    L.bce_with_logits(a, y, pos_weight=pos_weight).backward()
    F.binary_cross_entropy_with_logits(b, y, pos_weight=pw).backward()
    torch.testing.assert_close(a.grad, b.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_matches_torch(reduction, weighted):
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(50, 4, generator=g) * 5
    logits[0] = torch.tensor([1e4, -1e4, 0.0, 0.0])  # stability
    target = torch.randint(0, 4, (50,), generator=g)
    weight = torch.tensor([0.5, 2.0, 1.0, 3.0]) if weighted else None
    torch.testing.assert_close(
        L.cross_entropy(logits, target, weight=weight, reduction=reduction),
        F.cross_entropy(logits, target, weight=weight, reduction=reduction),
        **TOL,
    )
    a, b = logits.clone().requires_grad_(True), logits.clone().requires_grad_(True)
    L.cross_entropy(a, target, weight=weight).backward()
    F.cross_entropy(b, target, weight=weight).backward()
    torch.testing.assert_close(a.grad, b.grad, **TOL)


def test_class_weights_are_sklearn_balanced_and_weighted_cross_entropy_uses_them():
    y = torch.tensor([0] * 90 + [1] * 10 + [2] * 5)
    expected = compute_class_weight("balanced", classes=torch.arange(3).numpy(), y=y.numpy())
    torch.testing.assert_close(L.class_weights(y), torch.tensor(expected, dtype=torch.float32))
    assert L.class_weights(torch.tensor([0, 0, 2]), n_classes=4).tolist() == pytest.approx([0.75, 0, 1.5, 0])
    loss = L.weighted_cross_entropy(y)
    logits = torch.randn(105, 3, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(loss(logits, y), F.cross_entropy(logits, y, weight=L.class_weights(y)))


def test_losses_work_as_fit_loss_fn_with_column_targets():
    out, y = torch.tensor([[1.0], [2.0]]), torch.tensor([[0.0], [4.0]])
    assert float(L.mse_loss(out, y)) == pytest.approx(2.5)
    assert float(L.bce_with_logits(torch.zeros(2, 1), torch.tensor([[1], [0]]))) == pytest.approx(0.6931, abs=1e-4)


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="^target must have as many"):
        L.mse_loss(torch.zeros(3), torch.zeros(4))
    with pytest.raises(TypeError, match="^output must be a floating-point"):
        L.mae_loss(torch.zeros(3, dtype=torch.long), torch.zeros(3))
    with pytest.raises(ValueError, match="^delta must be > 0"):
        L.huber_loss(torch.zeros(3), torch.zeros(3), delta=0.0)
    with pytest.raises(ValueError, match="^reduction must be one of"):
        L.mse_loss(torch.zeros(3), torch.zeros(3), reduction="avg")
    with pytest.raises(ValueError, match=r"^logits must have shape \(n, C\)"):
        L.cross_entropy(torch.zeros(3), torch.zeros(3))
    with pytest.raises(ValueError, match="^target must have shape"):
        L.cross_entropy(torch.zeros(3, 2), torch.zeros(4))
    with pytest.raises(ValueError, match="^target must not be empty"):
        L.class_weights(torch.zeros(0))


# --------------------------------------------------------------------------- the LOSSES registry
def test_weighted_cross_entropy_uses_inverse_class_frequencies():
    y = torch.tensor([0] * 30 + [1] * 10)
    loss = L.LOSSES["weighted cross-entropy"]((torch.zeros(40, 3), y))
    out = torch.randn(40, 2, generator=torch.Generator().manual_seed(1))
    weight = torch.tensor([40 / (2 * 30), 40 / (2 * 10)])
    assert loss(out, y).item() == pytest.approx(F.cross_entropy(out, y, weight=weight).item())


def test_registry_losses_are_torch_functional():
    g = torch.Generator().manual_seed(0)
    out, target = torch.randn(8, 1, generator=g), torch.randn(8, generator=g)
    train = (torch.zeros(8, 1), target)
    assert L.LOSSES["mse"](train)(out, target) == F.mse_loss(out, target[:, None])
    assert L.LOSSES["huber"](train)(out, target) == F.huber_loss(out, target[:, None])
    assert L.LOSSES["cross-entropy"](train) is F.cross_entropy
