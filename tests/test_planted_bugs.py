"""dlcourse.planted_bugs: every sanity check of chapter 7 passes on the healthy network and fails on its planted bug."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlcourse import data, diagnostics
from dlcourse.planted_bugs import (
    BuggyReLU,
    ForgetfulReLU,
    NaiveLogSoftmax,
    Softmaxed,
    dead_net,
    healthy_net,
    l2_objective,
    scaled_output,
    tiny_pair,
    update_ratios,
)


@pytest.fixture(scope="module")
def batch():
    """The chapter's check batch: the first 64 training digits."""
    digits = data.load_digits(seed=0)
    return digits.X_train[:64], digits.y_train[:64]


# name -> (the check on the healthy network, the same check on the planted bug), as chapter 7 runs them
CHECKS = {
    "initial loss, output weights x20": lambda X, y: tuple(
        diagnostics.check_initial_loss(net, X, y) for net in (healthy_net(), scaled_output(20.0))
    ),
    "regularization, penalty subtracted": lambda X, y: tuple(
        diagnostics.check_regularization_raises_loss(l2_objective(healthy_net(), X, y, sign=sign)) for sign in (1, -1)
    ),
    "tiny overfit, softmax before cross-entropy": lambda X, y: tuple(
        diagnostics.check_overfit_tiny(net, X, y, n=20, epochs=100)
        for net in (healthy_net(), nn.Sequential(healthy_net(), Softmaxed()))
    ),
    "gradient check, ReLU backward without its mask": lambda X, y: tuple(
        diagnostics.gradient_check(net, X[:4], y[:4]) for net in tiny_pair()
    ),
    "update/weight ratio, SGD learning rate 50": lambda X, y: tuple(
        diagnostics.check_update_ratios(update_ratios(X, y, lr)) for lr in (0.05, 50.0)
    ),
    "dead units, first-layer biases -100": lambda X, y: tuple(
        diagnostics.check_dead_units(net, X) for net in (healthy_net(), dead_net())
    ),
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_each_check_passes_on_the_healthy_network_and_fails_on_its_planted_bug(batch, name):
    healthy, buggy = CHECKS[name](*batch)
    assert healthy.passed, str(healthy)
    assert not buggy.passed, str(buggy)


def test_the_measured_values_are_the_ones_the_chapter_states(batch):
    X, y = batch
    initial = diagnostics.check_initial_loss(healthy_net(), X, y).value
    assert 0.9 * math.log(10) <= initial <= 1.1 * math.log(10)
    double_softmax = diagnostics.check_overfit_tiny(nn.Sequential(healthy_net(), Softmaxed()), X, y, n=20, epochs=100)
    assert double_softmax.value >= 1.0  # cross-entropy of logits squeezed into [0, 1] cannot get close to 0
    healthy_ratio, buggy_ratio = (diagnostics.check_update_ratios(update_ratios(X, y, lr)).value for lr in (0.05, 50))
    assert 1e-4 <= healthy_ratio <= 1e-2 and buggy_ratio >= 0.5
    stats = diagnostics.layer_stats(dead_net(), X, y)
    assert [s.dead for s in stats] == [32, 16] and stats[0].frac_zero == 1.0 and stats[0].grad_std > 0


def test_find_nan_names_the_naive_log_softmax_and_not_the_stable_one(batch):
    X, y = batch
    naive = diagnostics.find_nan(nn.Sequential(scaled_output(1000.0), NaiveLogSoftmax()), X, y, loss_fn=F.nll_loss)
    assert (naive.layer, naive.op) == ("1", "LogBackward0")
    stable = nn.Sequential(scaled_output(1000.0), nn.LogSoftmax(dim=1))
    assert not diagnostics.find_nan(stable, X, y, loss_fn=F.nll_loss).found
    assert not diagnostics.find_nan(healthy_net(), X, y).found


def test_a_buggy_network_starts_from_the_weights_of_its_healthy_twin():
    healthy = healthy_net(seed=3)
    scaled, dead = scaled_output(2.0, seed=3), dead_net(seed=3)
    torch.testing.assert_close(scaled[-1].weight, 2 * healthy[-1].weight)
    torch.testing.assert_close(scaled[1].weight, healthy[1].weight)
    torch.testing.assert_close(dead[1].weight, healthy[1].weight)
    assert torch.all(dead[1].bias == -100.0) and healthy_net(width=8)[1].out_features == 8
    first, second = tiny_pair(seed=1), tiny_pair(seed=1)
    torch.testing.assert_close(first[1][0].weight, second[1][0].weight)
    assert isinstance(first[1][1], BuggyReLU) and isinstance(first[0][1], nn.Tanh)


def test_the_forgetful_relu_is_right_forwards_and_forgets_its_mask_backwards():
    x = torch.tensor([-2.0, -0.5, 0.5, 3.0], requires_grad=True)
    out = ForgetfulReLU.apply(x)
    torch.testing.assert_close(out, torch.relu(x))
    out.sum().backward()
    torch.testing.assert_close(x.grad, torch.ones(4))  # a ReLU's gradient would be [0, 0, 1, 1]
    torch.testing.assert_close(BuggyReLU()(x), torch.relu(x))


def test_the_two_softmax_bugs_compute_what_their_names_say():
    z = torch.tensor([[0.0, 1.0, 2.0], [2000.0, 0.0, -2000.0]])
    torch.testing.assert_close(Softmaxed()(z), torch.softmax(z, dim=1))
    naive = NaiveLogSoftmax()(z)
    torch.testing.assert_close(naive[0], torch.log_softmax(z, dim=1)[0])
    assert torch.isinf(naive[1]).any() and torch.isfinite(torch.log_softmax(z, dim=1)).all()


def test_l2_objective_adds_or_subtracts_the_weight_penalty(batch):
    X, y = batch
    net = healthy_net()
    penalty = sum((m.weight**2).sum() for m in net if isinstance(m, nn.Linear))
    base = F.cross_entropy(net(X), y)
    for sign in (1, -1):
        torch.testing.assert_close(l2_objective(net, X, y, sign=sign)(0.5), base + sign * 0.5 * penalty)


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda X, y: healthy_net(width=0), ValueError, "width"),
        (lambda X, y: healthy_net(width=2.5), TypeError, "width"),
        (lambda X, y: healthy_net(seed=-1), ValueError, "seed"),
        (lambda X, y: scaled_output("20"), TypeError, "factor"),
        (lambda X, y: scaled_output(math.inf), ValueError, "factor"),
        (lambda X, y: l2_objective("net", X, y), TypeError, "model"),
        (lambda X, y: l2_objective(healthy_net(), X.numpy(), y), TypeError, "X"),
        (lambda X, y: l2_objective(healthy_net(), X, y.tolist()), TypeError, "y"),
        (lambda X, y: l2_objective(healthy_net(), X, y, sign=2), ValueError, "sign"),
        (lambda X, y: l2_objective(healthy_net(), X, y, sign="-"), TypeError, "sign"),
        (lambda X, y: tiny_pair(seed=-1), ValueError, "seed"),
        (lambda X, y: dead_net(bias=None), TypeError, "bias"),
        (lambda X, y: update_ratios(X, y, 0.0), ValueError, "lr"),
        (lambda X, y: update_ratios(X, y, "fast"), TypeError, "lr"),
        (lambda X, y: update_ratios(X.numpy(), y, 0.1), TypeError, "X"),
    ],
)
def test_bad_arguments_are_refused_naming_the_argument(batch, call, error, name):
    with pytest.raises(error, match=name):
        call(*batch)
