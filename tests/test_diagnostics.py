import torch
import torch.nn.functional as F
from torch import nn

from dlcourse import diagnostics, models


def test_record_layers_outputs_and_gradients_match_manual_computation():
    torch.manual_seed(0)
    m = models.make_mlp(4, 3, depth=2, width=5, activation="tanh")
    X, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    recs = diagnostics.record_layers(m, X, y)
    assert [r.name for r in recs] == ["2", "4"]
    assert all(p.grad is None for p in m.parameters())  # recording leaves parameters' .grad alone
    h1 = torch.tanh(m[1](X))
    torch.testing.assert_close(recs[0].output, h1)
    h1r = h1.detach().requires_grad_(True)
    loss = F.cross_entropy(m[5](m[4](m[3](h1r))), y)
    loss.backward()
    torch.testing.assert_close(recs[0].grad, h1r.grad)


def test_record_layers_without_targets_has_no_gradients():
    m = models.make_mlp(4, 3, depth=1, width=5)
    (rec,) = diagnostics.record_layers(m, torch.randn(2, 4))
    assert rec.grad is None and rec.output.shape == (2, 5)


def test_dead_units_counts_units_that_never_fire():
    m = models.make_mlp(3, 2, depth=1, width=4)
    with torch.no_grad():
        m[1].weight.zero_()
        m[1].bias.copy_(torch.tensor([-1.0, 1.0, -0.5, 2.0]))
    assert diagnostics.dead_units(m, torch.randn(10, 3)) == [2]


def test_distinct_units_with_tol_0_counts_unique_rows_like_torch_unique():
    g = torch.Generator().manual_seed(0)
    for _ in range(20):
        pool = torch.randint(-2, 3, (4, 6), generator=g).float()  # few distinct rows, drawn with repeats
        rows = pool[torch.randint(0, 4, (12,), generator=g)]
        assert diagnostics.distinct_units(rows, tol=0) == torch.unique(rows, dim=0).shape[0]
    assert diagnostics.distinct_units(torch.tensor([1.0, 1.0, 2.0])) == 2  # a 1-D tensor: its entries


def test_distinct_units_of_a_layer_counts_weight_rows_with_their_bias():
    layer = nn.Linear(3, 4)
    with torch.no_grad():
        layer.weight.fill_(0.1)
        layer.bias.zero_()
    assert diagnostics.distinct_units(layer) == 1
    with torch.no_grad():
        layer.bias[0] = 1.0  # same weights, another bias: another unit
    assert diagnostics.distinct_units(layer) == 2
    assert diagnostics.distinct_units(layer.weight) == 1
    conv = nn.Conv2d(2, 5, 3)  # unit j: the flattened kernel (2, 3, 3) of output channel j and its bias
    assert diagnostics.distinct_units(conv) == 5
    with torch.no_grad():
        conv.weight.copy_(conv.weight[:1].expand_as(conv.weight))
        conv.bias.fill_(conv.bias[0].item())
    assert diagnostics.distinct_units(conv) == 1


def test_distinct_units_tolerance_and_arguments():
    rows = torch.tensor([[0.0, 1.0], [1e-7, 1.0], [3e-6, 1.0]], dtype=torch.float64)
    assert diagnostics.distinct_units(rows) == 2  # 1e-7 merges with row 0, 3e-6 does not
    assert diagnostics.distinct_units(rows, tol=0) == 3
    assert diagnostics.distinct_units(rows, tol=1e-5) == 1
    with pytest.raises(TypeError, match="^layer"):
        diagnostics.distinct_units(nn.ReLU())
    with pytest.raises(ValueError, match="^layer"):
        diagnostics.distinct_units(torch.tensor(1.0))
    with pytest.raises(ValueError, match="^tol"):
        diagnostics.distinct_units(rows, tol=-1.0)


def test_constant_init_keeps_one_distinct_unit_through_training_and_random_init_does_not():
    X, y = torch.randn(64, 8, generator=torch.Generator().manual_seed(0)), torch.arange(64) % 3
    for value, expected in [(0.1, 1), (None, 16)]:
        torch.manual_seed(0)
        m = models.make_mlp(8, 3, depth=2, width=16, activation="tanh")
        if value is not None:
            for layer in (m[1], m[3], m[5]):
                nn.init.constant_(layer.weight, value)
                nn.init.zeros_(layer.bias)
        opt = torch.optim.SGD(m.parameters(), lr=0.5)
        for _ in range(5):
            opt.zero_grad()
            F.cross_entropy(m(X), y).backward()
            opt.step()
        assert [diagnostics.distinct_units(m[i]) for i in (1, 3)] == [expected, expected]


# ---------------------------------------------------------------- chapter 7: sanity checks
# Each check gets a healthy model (must pass) and a model with a planted bug (must fail).
import math  # noqa: E402

import pytest  # noqa: E402

from dlcourse import runtime  # noqa: E402


def digits_batch(n=64, classes=10, features=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, features, generator=g), torch.randint(0, classes, (n,), generator=g)


def small_mlp(features=8, classes=10, seed=0, **kw):
    runtime.seed_everything(seed)
    return models.make_mlp(features, classes, depth=2, width=16, **kw)


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


class NaiveLogSoftmax(nn.Module):
    def forward(self, x):
        return torch.log(torch.softmax(x, dim=1))


def test_find_nan_names_the_backward_op():
    X, y = digits_batch()
    healthy = small_mlp()
    report = diagnostics.find_nan(healthy, X, y)
    assert not report.found and all(p.grad is None for p in healthy.parameters())
    runtime.seed_everything(0)
    buggy = small_mlp()
    with torch.no_grad():
        buggy[-1].weight.mul_(1000)  # huge logits: softmax underflows to exactly 0
    buggy = nn.Sequential(buggy, NaiveLogSoftmax())  # planted bug: log(softmax) instead of log_softmax
    report = diagnostics.find_nan(buggy, X, y, loss_fn=F.nll_loss)
    assert report.found and report.op == "LogBackward0" and report.layer == "1"
    assert "LogBackward0" in str(report)


def test_layer_stats_built_on_record_layers_and_dead_unit_check():
    X, y = digits_batch()
    m = small_mlp()
    stats = diagnostics.layer_stats(m, X, y)
    recs = diagnostics.record_layers(m, X, y)
    assert [s.name for s in stats] == [r.name for r in recs]
    assert stats[0].act_std == pytest.approx(float(recs[0].output.std()))
    assert stats[1].grad_std == pytest.approx(float(recs[1].grad.std()))
    assert diagnostics.check_dead_units(m, X).passed
    with torch.no_grad():
        m[1].bias.fill_(-100.0)  # planted bug: every first-layer ReLU dead
    stats = diagnostics.layer_stats(m, X, y)
    assert stats[0].dead == 16 and stats[0].frac_zero == 1.0
    result = diagnostics.check_dead_units(m, X)
    assert not result.passed and result.value == 1.0


def test_update_ratio_check_catches_a_learning_rate_far_too_large():
    X, y = digits_batch()
    m = small_mlp()
    ratios = diagnostics.update_to_weight_ratios(m, X, y, torch.optim.SGD(m.parameters(), lr=0.01))
    assert set(ratios) == {"1.weight", "3.weight", "5.weight"}
    assert diagnostics.check_update_ratios(ratios).passed
    m = small_mlp()
    ratios = diagnostics.update_to_weight_ratios(m, X, y, torch.optim.SGD(m.parameters(), lr=50.0))
    assert not diagnostics.check_update_ratios(ratios).passed  # planted bug: lr 50


def test_worst_examples_find_mislabelled_examples():
    from dlcourse.data import load_breast_cancer
    from dlcourse.training import fit

    data = load_breast_cancer(seed=0)
    X, y = data.train
    y = y.clone()
    planted = torch.tensor([3, 60, 100, 200, 300])
    y[planted] = 1 - y[planted]  # planted bug: five flipped labels
    runtime.seed_everything(0)
    m = models.make_mlp(30, 2, depth=1, width=16)
    fit(m, (X, y), epochs=30, lr=1e-2, progress=False, metric=None)
    idx, losses = diagnostics.worst_examples(m, X, y, k=5)
    assert set(idx.tolist()) == set(planted.tolist())
    assert torch.all(losses[:-1] >= losses[1:])


def test_performance_gaps_pick_the_largest_gap():
    high_bias = diagnostics.performance_gaps(0.01, 0.08, 0.10)
    assert high_bias["avoidable bias"] == pytest.approx(0.07) and high_bias["variance"] == pytest.approx(0.02)
    assert high_bias["focus"] == "avoidable bias" and "bigger model" in high_bias["remedy"]
    assert diagnostics.performance_gaps(0.01, 0.015, 0.10)["focus"] == "variance"
    mismatch = diagnostics.performance_gaps(0.01, 0.02, 0.12, train_dev_error=0.025)
    assert mismatch["focus"] == "data mismatch" and mismatch["variance"] == pytest.approx(0.005)
    with pytest.raises(TypeError, match="^val_error"):
        diagnostics.performance_gaps(0.01, 0.02, "x")
