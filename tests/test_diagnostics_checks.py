"""dlcourse.diagnostics.checks, the sanity checks of chapter 7. Each check gets a healthy model (must pass) and a
model with a planted bug (must fail)."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlcourse import diagnostics, runtime

from .diagnostics_cases import digits_batch, small_mlp


def test_expected_initial_loss():
    assert diagnostics.expected_initial_loss(10) == pytest.approx(2.302585)
    assert diagnostics.expected_initial_loss(2) == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="^n_classes"):
        diagnostics.expected_initial_loss(0)


def test_initial_loss_check_catches_an_overconfident_init():
    X, y = digits_batch()
    healthy = small_mlp()
    assert diagnostics.check_initial_loss(healthy, X, y).passed
    buggy = small_mlp()
    with torch.no_grad():
        buggy[-1].weight.mul_(30)  # planted bug: output layer initialised far too large
    result = diagnostics.check_initial_loss(buggy, X, y)
    assert not result.passed and result.value > 2 * result.expected
    assert str(result).startswith("FAIL initial loss")


def l2_objective(model, X, y, sign=1.0):
    def objective(alpha):
        penalty = sum((p**2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
        return F.cross_entropy(model(X), y) + sign * alpha * penalty

    return objective


def test_regularization_check_catches_a_wrong_sign_and_an_ignored_penalty():
    X, y = digits_batch()
    m = small_mlp()
    assert diagnostics.check_regularization_raises_loss(l2_objective(m, X, y)).passed
    assert not diagnostics.check_regularization_raises_loss(l2_objective(m, X, y, sign=-1.0)).passed
    assert not diagnostics.check_regularization_raises_loss(l2_objective(m, X, y, sign=0.0)).passed


class DoubleSoftmax(nn.Module):
    def forward(self, x):
        return torch.softmax(x, dim=1)


def test_overfit_tiny_check_catches_a_double_softmax():
    X, y = digits_batch()
    assert diagnostics.check_overfit_tiny(small_mlp(), X, y, n=20, epochs=150).passed
    buggy = nn.Sequential(small_mlp(), DoubleSoftmax())  # planted bug: softmax before cross-entropy
    result = diagnostics.check_overfit_tiny(buggy, X, y, n=20, epochs=150)
    assert not result.passed and result.value > 0.5


class LeakyBackwardReLU(torch.autograd.Function):
    """ReLU whose hand-written backward forgets the mask (planted bug)."""

    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        return grad


class BuggyReLU(nn.Module):
    def forward(self, x):
        return LeakyBackwardReLU.apply(x)


def test_gradient_check_delegates_to_gradcheck_and_catches_a_wrong_backward():
    X, y = digits_batch(n=6, classes=3, features=4)
    runtime.seed_everything(0)
    healthy = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    result = diagnostics.gradient_check(healthy, X, y)
    assert result.passed and result.value < 1e-6
    runtime.seed_everything(0)
    buggy = nn.Sequential(nn.Linear(4, 5), BuggyReLU(), nn.Linear(5, 3))
    result = diagnostics.gradient_check(buggy, X, y)
    assert not result.passed and result.detail.startswith("worst parameter 0.")  # the layer before the bug


def test_update_ratio_check_catches_a_learning_rate_far_too_large():
    X, y = digits_batch()
    m = small_mlp()
    ratios = diagnostics.update_to_weight_ratios(m, X, y, torch.optim.SGD(m.parameters(), lr=0.01))
    assert set(ratios) == {"1.weight", "3.weight", "5.weight"}
    assert diagnostics.check_update_ratios(ratios).passed
    m = small_mlp()
    ratios = diagnostics.update_to_weight_ratios(m, X, y, torch.optim.SGD(m.parameters(), lr=50.0))
    assert not diagnostics.check_update_ratios(ratios).passed  # planted bug: lr 50
