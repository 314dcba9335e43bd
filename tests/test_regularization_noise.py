"""dlcourse.regularization.noise against torch (dropout statistics, label smoothing)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlcourse.regularization import noise as N

from .strategies import drop_probabilities, tensors


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keep_rate_and_expectation_over_a_million_draws(p):
    x = torch.full((1_000_000,), 2.0)
    y = N.dropout(x, p, generator=torch.Generator().manual_seed(0))
    kept = (y != 0).float().mean().item()
    assert abs(kept - (1 - p)) < 3e-3  # a fraction p is dropped (not 1/p)
    assert abs(y.mean().item() - 2.0) < 0.02  # inverted: the mean is preserved
    torch.testing.assert_close(y[y != 0], torch.full_like(y[y != 0], 2.0 / (1 - p)))
    z = N.dropout(x, p, inverted=False, generator=torch.Generator().manual_seed(0))
    test_time = N.dropout(x, p, inverted=False, training=False)
    assert abs(z.mean().item() - test_time[0].item()) < 0.02  # train and test expectations agree
    torch.testing.assert_close(test_time, x * (1 - p))  # test time multiplies by the keep probability


def test_dropout_statistics_match_torch():
    x = torch.ones(1_000_000)
    torch.manual_seed(0)
    ours = N.Dropout(0.3)(x)
    theirs = nn.Dropout(0.3)(x)
    assert abs((ours == 0).float().mean() - (theirs == 0).float().mean()) < 3e-3
    assert set(ours.unique().tolist()) == set(theirs.unique().tolist())


@given(x=tensors(), p=drop_probabilities)
@settings(max_examples=30, deadline=None)
def test_eval_mode_is_identity_and_test_time_scaling_is_keep_probability(x, p):
    assert torch.equal(N.Dropout(p).eval()(x), x)
    torch.testing.assert_close(N.TestTimeScaledDropout(p).eval()(x), x * (1 - p))
    assert torch.equal(N.Dropout(0.0)(x), x)


def test_dropout_gradient_is_the_mask_scaled():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(50, 20, generator=g).requires_grad_(True)
    layer = N.Dropout(0.4, generator=torch.Generator().manual_seed(4))
    y = layer(x)
    y.sum().backward()
    mask = y.detach() != 0
    torch.testing.assert_close(x.grad, mask.float() / 0.6)
    torch.testing.assert_close(y, x.detach() * mask / 0.6)


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5])
def test_dropout_refuses_p_outside_0_1(p):
    with pytest.raises(ValueError, match=r"^p must be in \[0, 1\)"):
        N.Dropout(p)
    with pytest.raises(ValueError, match="^p"):
        N.dropout(torch.ones(3), p)
    with pytest.raises(TypeError, match="^x"):
        N.dropout([1.0], 0.5)


def test_gaussian_noise_train_only_with_the_right_std():
    layer = N.GaussianNoise(0.5, generator=torch.Generator().manual_seed(0))
    x = torch.zeros(200_000)
    noisy = layer(x)
    assert abs(noisy.std().item() - 0.5) < 5e-3 and abs(noisy.mean().item()) < 5e-3
    assert torch.equal(layer.eval()(x), x)
    with pytest.raises(ValueError, match="^std"):
        N.GaussianNoise(-1)


@given(
    logits=tensors(shape=(6, 4), elements=st.floats(-30, 30, width=32), include_extremes=False),
    eps=st.floats(0, 1),
    target=st.lists(st.integers(0, 3), min_size=6, max_size=6),
)
@settings(max_examples=40, deadline=None)
def test_label_smoothing_equals_torch(logits, eps, target):
    target = torch.tensor(target)
    for reduction in ("mean", "sum", "none"):
        torch.testing.assert_close(
            N.label_smoothing_cross_entropy(logits, target, eps, reduction=reduction),
            F.cross_entropy(logits, target, label_smoothing=eps, reduction=reduction),
            rtol=1e-5,
            atol=1e-5,
        )


def test_smoothed_labels_sum_to_one_and_arguments_are_checked():
    q = N.smooth_labels(torch.tensor([0, 2]), 3, 0.3)
    torch.testing.assert_close(q, torch.tensor([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]]))
    with pytest.raises(ValueError, match="^smoothing"):
        N.label_smoothing_loss(1.5)
    with pytest.raises(ValueError, match="^reduction"):
        N.label_smoothing_cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1]), reduction="avg")
