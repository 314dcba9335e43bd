"""dlcourse.regularization.penalties against autograd, SGD's weight_decay, torch's softshrink and
scikit-learn's Lasso and ElasticNet."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlcourse import regularization as R
from dlcourse.regularization import penalties as P

from .strategies import tensors


def small_net(seed=0, norm=True):
    torch.manual_seed(seed)
    layers = [nn.Linear(5, 7), nn.BatchNorm1d(7) if norm else nn.Identity(), nn.ReLU(), nn.Linear(7, 3)]
    return nn.Sequential(*layers)


def test_penalties_exclude_bias_and_norm_by_default():
    net = small_net()
    assert list(P.weight_parameters(net)) == ["0.weight", "3.weight"]
    assert set(P.weight_parameters(net, include_bias=True, include_norm=True)) == {
        name for name, _ in net.named_parameters()
    }
    expected_l1 = net[0].weight.abs().sum() + net[3].weight.abs().sum()
    torch.testing.assert_close(P.l1_penalty(net, 0.3), 0.3 * expected_l1)
    expected_l2 = net[0].weight.pow(2).sum() + net[3].weight.pow(2).sum()
    torch.testing.assert_close(P.l2_penalty(net, 0.3), 0.15 * expected_l2)
    everything = sum(p.abs().sum() for p in net.parameters())
    torch.testing.assert_close(P.l1_penalty(net, 1.0, include_bias=True, include_norm=True), everything)


@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0, 50.0])  # any alpha >= 0, not only [0, 1]
def test_penalty_gradients_equal_autograd(alpha):
    net = small_net()
    for penalty, grad_fn in [(P.l1_penalty, P.l1_penalty_grad), (P.l2_penalty, P.l2_penalty_grad)]:
        net.zero_grad()
        penalty(net, alpha).backward()
        for p in P.weight_parameters(net).values():
            torch.testing.assert_close(p.grad, grad_fn(p.detach(), alpha))
        assert net[0].bias.grad is None or torch.all(net[0].bias.grad == 0)


@given(w=tensors(shape=(4, 3), include_extremes=False), alpha=st.floats(0, 100), rho=st.floats(0, 1))
@settings(max_examples=30, deadline=None)
def test_elastic_net_is_the_mix_of_l1_and_l2(w, alpha, rho):
    expected = alpha * (rho * w.abs().sum() + (1 - rho) / 2 * w.pow(2).sum())
    torch.testing.assert_close(
        P.elastic_net_penalty([w], alpha, rho),
        expected.to(torch.float32) if w.dtype == torch.float32 else expected,
        rtol=1e-5,
        atol=1e-4,
        check_dtype=False,
    )


def test_l2_with_sgd_equals_sgd_weight_decay():
    data = torch.randn(64, 5, generator=torch.Generator().manual_seed(1))
    target = torch.randint(0, 3, (64,), generator=torch.Generator().manual_seed(2))
    a, b = small_net(norm=False), small_net(norm=False)
    opt_a = torch.optim.SGD(a.parameters(), lr=0.1)
    # torch's weight_decay also decays biases: give them a group without decay to match the default selection
    opt_b = torch.optim.SGD(
        [
            {"params": [a_ for n, a_ in b.named_parameters() if n.endswith("weight")], "weight_decay": 0.05},
            {"params": [a_ for n, a_ in b.named_parameters() if n.endswith("bias")]},
        ],
        lr=0.1,
    )
    loss_a = P.regularized_loss(a, l2=0.05)
    for _ in range(5):
        opt_a.zero_grad()
        loss_a(a(data), target).backward()
        opt_a.step()
        opt_b.zero_grad()
        F.cross_entropy(b(data), target).backward()
        opt_b.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb)


def test_penalty_arguments_are_checked():
    with pytest.raises(ValueError, match="^alpha"):
        P.l2_penalty(small_net(), -1.0)
    with pytest.raises(ValueError, match="^l1_ratio"):
        P.elastic_net_penalty(small_net(), 1.0, 1.5)
    with pytest.raises(TypeError, match="^model"):
        P.l1_penalty(3.0)


@given(w=tensors(shape=(5, 4), include_extremes=False), tau=st.floats(0, 3))
@settings(max_examples=40, deadline=None)
def test_soft_threshold_equals_softshrink(w, tau):
    torch.testing.assert_close(P.soft_threshold(w, tau), F.softshrink(w, tau))
    assert torch.all(P.soft_threshold(w, tau)[w.abs() <= tau] == 0)  # exactly zero inside the band


def test_soft_threshold_arguments_are_checked():
    with pytest.raises(ValueError, match="^threshold"):
        P.soft_threshold(torch.ones(3), -0.1)
    with pytest.raises(TypeError, match="^w"):
        P.soft_threshold([1.0, 2.0], 0.1)


def test_l1_proximal_step_thresholds_weights_only():
    net = small_net(norm=False)
    before = {name: p.detach().clone() for name, p in net.named_parameters()}
    P.l1_proximal_step(net, 0.2)
    for name, p in net.named_parameters():
        expected = F.softshrink(before[name], 0.2) if name.endswith("weight") else before[name]
        torch.testing.assert_close(p.detach(), expected)
    assert R.sparsity(net) == pytest.approx(
        float(sum((before[n].abs() <= 0.2).sum() for n in ("0.weight", "3.weight")))
        / sum(before[n].numel() for n in ("0.weight", "3.weight"))
    )


def _sparse_regression(seed=0, n=100, d=20):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g, dtype=torch.float64)
    w_true = torch.zeros(d, dtype=torch.float64)
    w_true[:5] = torch.tensor([2.0, -3.0, 1.5, 1.0, -2.0], dtype=torch.float64)
    return X, X @ w_true + 0.3 * torch.randn(n, generator=g, dtype=torch.float64)


def test_ista_reaches_sklearn_lasso_with_its_exact_zeros():
    Lasso = pytest.importorskip("sklearn.linear_model").Lasso
    X, y = _sparse_regression()
    path = P.l1_least_squares(X, y, 0.1, lr=0.1, steps=2000, proximal=True)
    assert path.shape == (2001, 20) and torch.all(path[0] == 0)
    ref = torch.as_tensor(
        Lasso(alpha=0.1, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X.numpy(), y.numpy()).coef_
    )
    torch.testing.assert_close(path[-1], ref, atol=1e-8, rtol=0)
    assert torch.equal(path[-1] == 0, ref == 0) and int((ref == 0).sum()) == 15


def test_subgradient_l1_zigzags_around_zero_instead_of_reaching_it():
    X, y = _sparse_regression()
    lr, alpha = 0.1, 0.1
    path = P.l1_least_squares(X, y, alpha, lr=lr, steps=300, proximal=False)
    tail = path[-50:, 5:]  # the 15 weights whose lasso solution is 0
    assert not torch.any(tail == 0)
    assert tail.abs().max() <= 2 * lr * alpha  # the overshoot: at most lr * (alpha + |gradient|) < 2 lr alpha
    assert torch.all((tail[1:] * tail[:-1] < 0).sum(0) >= 5)  # each keeps crossing zero


def test_l1_least_squares_arguments_are_checked():
    X, y = _sparse_regression()
    with pytest.raises(ValueError, match="^X"):
        P.l1_least_squares(X, y[:-1], 0.1, lr=0.1)
    with pytest.raises(ValueError, match="^alpha"):
        P.l1_least_squares(X, y, -1.0, lr=0.1)
    with pytest.raises(ValueError, match="^steps"):
        P.l1_least_squares(X, y, 0.1, lr=0.1, steps=0)


@pytest.mark.parametrize("alpha, rho", [(0.05, 0.5), (0.2, 0.9), (0.05, 0.2)])
def test_elastic_net_penalty_is_sklearns_at_its_solution(alpha, rho):
    # sklearn's ElasticNet minimises 1/(2n)·||y - Xw||² + alpha·rho·||w||₁ + alpha·(1 - rho)/2·||w||²; at its
    # solution our objective must be stationary: gradient 0 on the non-zero weights, and on the zero
    # weights the data gradient inside the L1 part's subdifferential [-alpha·rho, alpha·rho].
    from sklearn.linear_model import ElasticNet

    g = torch.Generator().manual_seed(0)
    X = torch.randn(80, 6, generator=g, dtype=torch.float64)
    y = X @ torch.tensor([2.0, -1.0, 0.0, 0.0, 0.5, 0.0], dtype=torch.float64) + 0.3 * torch.randn(
        80, generator=g, dtype=torch.float64
    )
    fitted = ElasticNet(alpha=alpha, l1_ratio=rho, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y)
    w = torch.tensor(fitted.coef_, dtype=torch.float64, requires_grad=True)
    data_loss = ((y - X @ w) ** 2).sum() / (2 * len(y))
    (data_loss + P.elastic_net_penalty([w], alpha, rho)).backward()
    nonzero = w.detach() != 0
    assert nonzero.any() and (~nonzero).any()  # both cases are exercised
    torch.testing.assert_close(w.grad[nonzero], torch.zeros(int(nonzero.sum()), dtype=torch.float64), atol=1e-6, rtol=0)
    data_grad = X.T @ (X @ w.detach() - y) / len(y)
    assert (data_grad[~nonzero].abs() <= alpha * rho + 1e-6).all()
    # and the penalty's value is sklearn's penalty term
    expected = alpha * rho * abs(fitted.coef_).sum() + alpha * (1 - rho) / 2 * (fitted.coef_**2).sum()
    assert float(P.elastic_net_penalty([w.detach()], alpha, rho)) == pytest.approx(expected, rel=1e-12)
