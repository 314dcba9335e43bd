"""dlcourse.hypergradient: the unrolled training against torch.optim.SGD, the hypergradient against a
central finite difference of the unrolled validation loss (float64), and the descent's update rule."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from dlcourse.hypergradient import hypergradient, hypergradient_descent, unrolled_validation_loss


def problem(n=60, d=6, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = 1.5 * torch.randn(k, d, generator=g, dtype=torch.float64)

    def draw(m):
        y = torch.randint(k, (m,), generator=g)
        return centres[y] + torch.randn(m, d, generator=g, dtype=torch.float64), y

    return draw(n), draw(n)


def test_unrolled_training_matches_torch_optim_sgd_with_weight_decay_on_the_weights_only():
    (X, y), (Xv, yv) = problem()
    steps, lr, s = 25, 0.3, -1.5
    W = torch.zeros(X.shape[1], 3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([{"params": [W], "weight_decay": math.exp(s)}, {"params": [b], "weight_decay": 0.0}], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(X @ W + b, y).backward()
        opt.step()
    reference = F.cross_entropy(Xv @ W + b, yv).item()
    ours = unrolled_validation_loss(s, (X, y), (Xv, yv), steps=steps, lr=lr).item()
    assert ours == pytest.approx(reference, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("s", [-6.0, -2.0, 0.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_hypergradient_matches_a_central_finite_difference_in_float64(s, seed):
    train, val = problem(seed=seed)
    loss, grad = hypergradient(s, train, val, steps=30, lr=0.3)
    h = 1e-5
    plus = unrolled_validation_loss(s + h, train, val, steps=30, lr=0.3).item()
    minus = unrolled_validation_loss(s - h, train, val, steps=30, lr=0.3).item()
    assert loss == pytest.approx(unrolled_validation_loss(s, train, val, steps=30, lr=0.3).item(), rel=1e-14)
    assert grad == pytest.approx((plus - minus) / (2 * h), rel=1e-6, abs=1e-10)


def test_a_tensor_log_decay_carries_the_graph():
    train, val = problem()
    s = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    unrolled_validation_loss(s, train, val, steps=5).backward()
    assert s.grad is not None and s.grad.item() == pytest.approx(hypergradient(-1.0, train, val, steps=5)[1], rel=1e-12)


def test_descent_follows_its_update_rule_and_lowers_the_validation_loss():
    train, val = problem(n=15, d=8, seed=2)  # few examples: weight decay helps
    path = hypergradient_descent(train, val, log_decay=-6.0, hyper_lr=5.0, n_steps=6, steps=40, lr=0.5)
    assert len(path) == 7 and set(path[0]) == {"log_decay", "val_loss", "hypergradient"}
    for before, after in zip(path, path[1:]):
        assert after["log_decay"] == pytest.approx(before["log_decay"] - 5.0 * before["hypergradient"], rel=1e-14)
    assert path[-1]["val_loss"] < path[0]["val_loss"]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda tr, va: unrolled_validation_loss(0.0, tr, va, steps=0), ValueError, "steps"),
        (lambda tr, va: unrolled_validation_loss(0.0, tr, va, lr=-1.0), ValueError, "lr"),
        (lambda tr, va: unrolled_validation_loss(float("nan"), tr, va), ValueError, "log_decay"),
        (lambda tr, va: unrolled_validation_loss("0", tr, va), TypeError, "log_decay"),
        (lambda tr, va: unrolled_validation_loss(torch.zeros(2), tr, va), ValueError, "log_decay"),
        (lambda tr, va: unrolled_validation_loss(0.0, tr[0], va), TypeError, "train"),
        (lambda tr, va: unrolled_validation_loss(0.0, tr, (va[0][:, :2], va[1])), ValueError, "val"),
        (lambda tr, va: unrolled_validation_loss(0.0, (tr[0], tr[1].double()), va), TypeError, "train"),
        (lambda tr, va: unrolled_validation_loss(0.0, (tr[0].long(), tr[1]), va), TypeError, "train"),
        (lambda tr, va: hypergradient_descent(tr, va, hyper_lr=0.0), ValueError, "hyper_lr"),
        (lambda tr, va: hypergradient_descent(tr, va, n_steps=0), ValueError, "n_steps"),
    ],
)
def test_arguments_are_validated(call, error, match):
    train, val = problem()
    with pytest.raises(error, match=match):
        call(train, val)
