"""dlcourse.regularization against torch (dropout, label smoothing, AveragedModel, prune) and autograd."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils import prune
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from dlcourse import regularization as R
from dlcourse.data import make_moons
from dlcourse.models import make_mlp
from dlcourse.training import fit

from .strategies import drop_probabilities, tensors


def small_net(seed=0, norm=True):
    torch.manual_seed(seed)
    layers = [nn.Linear(5, 7), nn.BatchNorm1d(7) if norm else nn.Identity(), nn.ReLU(), nn.Linear(7, 3)]
    return nn.Sequential(*layers)


# --------------------------------------------------------------------------- penalties
def test_penalties_exclude_bias_and_norm_by_default():
    net = small_net()
    assert list(R.weight_parameters(net)) == ["0.weight", "3.weight"]
    assert set(R.weight_parameters(net, include_bias=True, include_norm=True)) == {
        name for name, _ in net.named_parameters()}
    expected_l1 = net[0].weight.abs().sum() + net[3].weight.abs().sum()
    torch.testing.assert_close(R.l1_penalty(net, 0.3), 0.3 * expected_l1)
    expected_l2 = net[0].weight.pow(2).sum() + net[3].weight.pow(2).sum()
    torch.testing.assert_close(R.l2_penalty(net, 0.3), 0.15 * expected_l2)
    everything = sum(p.abs().sum() for p in net.parameters())
    torch.testing.assert_close(R.l1_penalty(net, 1.0, include_bias=True, include_norm=True), everything)


@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0, 50.0])  # any alpha >= 0, not only [0, 1]
def test_penalty_gradients_equal_autograd(alpha):
    net = small_net()
    for penalty, grad_fn in [(R.l1_penalty, R.l1_penalty_grad), (R.l2_penalty, R.l2_penalty_grad)]:
        net.zero_grad()
        penalty(net, alpha).backward()
        for p in R.weight_parameters(net).values():
            torch.testing.assert_close(p.grad, grad_fn(p.detach(), alpha))
        assert net[0].bias.grad is None or torch.all(net[0].bias.grad == 0)


@given(w=tensors(shape=(4, 3), include_extremes=False), alpha=st.floats(0, 100), rho=st.floats(0, 1))
@settings(max_examples=30, deadline=None)
def test_elastic_net_is_the_mix_of_l1_and_l2(w, alpha, rho):
    expected = alpha * (rho * w.abs().sum() + (1 - rho) / 2 * w.pow(2).sum())
    torch.testing.assert_close(R.elastic_net_penalty([w], alpha, rho), expected.to(torch.float32)
                               if w.dtype == torch.float32 else expected, rtol=1e-5, atol=1e-4, check_dtype=False)


def test_l2_with_sgd_equals_sgd_weight_decay():
    data = torch.randn(64, 5, generator=torch.Generator().manual_seed(1))
    target = torch.randint(0, 3, (64,), generator=torch.Generator().manual_seed(2))
    a, b = small_net(norm=False), small_net(norm=False)
    opt_a = torch.optim.SGD(a.parameters(), lr=0.1)
    # torch's weight_decay also decays biases: give them a group without decay to match the default selection
    opt_b = torch.optim.SGD([{"params": [a_ for n, a_ in b.named_parameters() if n.endswith("weight")],
                              "weight_decay": 0.05},
                             {"params": [a_ for n, a_ in b.named_parameters() if n.endswith("bias")]}], lr=0.1)
    loss_a = R.regularized_loss(a, l2=0.05)
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
        R.l2_penalty(small_net(), -1.0)
    with pytest.raises(ValueError, match="^l1_ratio"):
        R.elastic_net_penalty(small_net(), 1.0, 1.5)
    with pytest.raises(TypeError, match="^model"):
        R.l1_penalty(3.0)


# --------------------------------------------------------------------------- dropout
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keep_rate_and_expectation_over_a_million_draws(p):
    x = torch.full((1_000_000,), 2.0)
    y = R.dropout(x, p, generator=torch.Generator().manual_seed(0))
    kept = (y != 0).float().mean().item()
    assert abs(kept - (1 - p)) < 3e-3  # a fraction p is dropped (not 1/p)
    assert abs(y.mean().item() - 2.0) < 0.02  # inverted: the mean is preserved
    torch.testing.assert_close(y[y != 0], torch.full_like(y[y != 0], 2.0 / (1 - p)))
    z = R.dropout(x, p, inverted=False, generator=torch.Generator().manual_seed(0))
    test_time = R.dropout(x, p, inverted=False, training=False)
    assert abs(z.mean().item() - test_time[0].item()) < 0.02  # train and test expectations agree
    torch.testing.assert_close(test_time, x * (1 - p))  # test time multiplies by the keep probability


def test_dropout_statistics_match_torch():
    x = torch.ones(1_000_000)
    torch.manual_seed(0)
    ours = R.Dropout(0.3)(x)
    theirs = nn.Dropout(0.3)(x)
    assert abs((ours == 0).float().mean() - (theirs == 0).float().mean()) < 3e-3
    assert set(ours.unique().tolist()) == set(theirs.unique().tolist())


@given(x=tensors(), p=drop_probabilities)
@settings(max_examples=30, deadline=None)
def test_eval_mode_is_identity_and_test_time_scaling_is_keep_probability(x, p):
    assert torch.equal(R.Dropout(p).eval()(x), x)
    torch.testing.assert_close(R.TestTimeScaledDropout(p).eval()(x), x * (1 - p))
    assert torch.equal(R.Dropout(0.0)(x), x)


def test_dropout_gradient_is_the_mask_scaled():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(50, 20, generator=g).requires_grad_(True)
    layer = R.Dropout(0.4, generator=torch.Generator().manual_seed(4))
    y = layer(x)
    y.sum().backward()
    mask = y.detach() != 0
    torch.testing.assert_close(x.grad, mask.float() / 0.6)
    torch.testing.assert_close(y, x.detach() * mask / 0.6)


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5])
def test_dropout_refuses_p_outside_0_1(p):
    with pytest.raises(ValueError, match=r"^p must be in \[0, 1\)"):
        R.Dropout(p)
    with pytest.raises(ValueError, match="^p"):
        R.dropout(torch.ones(3), p)
    with pytest.raises(TypeError, match="^x"):
        R.dropout([1.0], 0.5)


# --------------------------------------------------------------------------- noise
def test_gaussian_noise_train_only_with_the_right_std():
    layer = R.GaussianNoise(0.5, generator=torch.Generator().manual_seed(0))
    x = torch.zeros(200_000)
    noisy = layer(x)
    assert abs(noisy.std().item() - 0.5) < 5e-3 and abs(noisy.mean().item()) < 5e-3
    assert torch.equal(layer.eval()(x), x)
    with pytest.raises(ValueError, match="^std"):
        R.GaussianNoise(-1)


# --------------------------------------------------------------------------- label smoothing
@given(logits=tensors(shape=(6, 4), elements=st.floats(-30, 30, width=32), include_extremes=False),
       eps=st.floats(0, 1), target=st.lists(st.integers(0, 3), min_size=6, max_size=6))
@settings(max_examples=40, deadline=None)
def test_label_smoothing_equals_torch(logits, eps, target):
    target = torch.tensor(target)
    for reduction in ("mean", "sum", "none"):
        torch.testing.assert_close(
            R.label_smoothing_cross_entropy(logits, target, eps, reduction=reduction),
            F.cross_entropy(logits, target, label_smoothing=eps, reduction=reduction), rtol=1e-5, atol=1e-5)


def test_smoothed_labels_sum_to_one_and_arguments_are_checked():
    q = R.smooth_labels(torch.tensor([0, 2]), 3, 0.3)
    torch.testing.assert_close(q, torch.tensor([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]]))
    with pytest.raises(ValueError, match="^smoothing"):
        R.label_smoothing_loss(1.5)
    with pytest.raises(ValueError, match="^reduction"):
        R.label_smoothing_cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1]), reduction="avg")


# --------------------------------------------------------------------------- early stopping
class FakeHistory:
    def __init__(self):
        self.val_loss, self.val_metric = [], []


@pytest.mark.parametrize("mode,values,stop_at,best_epoch", [
    ("min", [1.0, 0.8, 0.81, 0.79, 0.85, 0.9], 6, 4),
    ("max", [0.5, 0.6, 0.6, 0.7, 0.69, 0.7], 6, 4),
    ("max", [0.5, 0.6, 0.6, 0.7, 0.71], None, 5),
])
def test_early_stopping_bookkeeping(mode, values, stop_at, best_epoch):
    stopper = R.EarlyStopping(patience=2, mode=mode, monitor="val_loss")
    model, history = nn.Linear(1, 1), FakeHistory()
    stopped = None
    for epoch, v in enumerate(values, start=1):
        history.val_loss.append(v)
        if stopper(epoch, history, model):
            stopped = epoch
            break
    assert stopped == stop_at and stopper.state["best_epoch"] == best_epoch


def test_early_stopping_min_delta():
    stopper = R.EarlyStopping(patience=1, min_delta=0.05)
    history, model = FakeHistory(), nn.Linear(1, 1)
    history.val_loss += [1.0]
    assert not stopper(1, history, model)
    history.val_loss += [0.97]  # better, but by less than min_delta: no improvement
    assert stopper(2, history, model) and stopper.state == {"best": 1.0, "best_epoch": 1, "wait": 1,
                                                             "stopped_epoch": 2}


def test_early_stopping_with_fit_restores_the_best_weights():
    data = make_moons(300, noise=0.3, seed=0).subset_train(30)
    torch.manual_seed(0)
    model = make_mlp(2, 2, depth=2, width=128)
    stopper = R.EarlyStopping(patience=3)
    snapshots = {}

    def remember(epoch, history, model):
        snapshots[epoch] = {k: v.clone() for k, v in model.state_dict().items()}
        return False

    history = fit(model, data.train, data.val, epochs=200, lr=0.03, callbacks=[remember, stopper],
                  progress=False, device="cpu")
    assert history.stopped_early and len(history) == stopper.state["stopped_epoch"] < 200
    best = stopper.state["best_epoch"]
    assert best == 1 + min(range(len(history)), key=lambda i: history.val_loss[i])
    assert len(history) - best == 3
    for k, v in model.state_dict().items():
        assert torch.equal(v, snapshots[best][k])


def test_early_stopping_arguments_are_checked():
    with pytest.raises(ValueError, match="^mode"):
        R.EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="^patience"):
        R.EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="^monitor"):
        R.EarlyStopping(monitor="accuracy")
    with pytest.raises(RuntimeError):
        R.EarlyStopping().restore(nn.Linear(1, 1))


# --------------------------------------------------------------------------- weight averaging
@pytest.mark.parametrize("decay", [None, 0.9, 0.999])
def test_weight_average_equals_averaged_model(decay):
    net = small_net(norm=False)
    ours = R.WeightAverage(net, decay=decay)
    theirs = AveragedModel(net) if decay is None else AveragedModel(net, multi_avg_fn=get_ema_multi_avg_fn(decay))
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    g = torch.Generator().manual_seed(0)
    for _ in range(6):
        opt.zero_grad()
        net(torch.randn(8, 5, generator=g)).pow(2).mean().backward()
        opt.step()
        ours.update(net)
        theirs.update_parameters(net)
    for a, b in zip(ours.module.parameters(), theirs.module.parameters()):
        torch.testing.assert_close(a, b)
    assert ours.n_averaged == int(theirs.n_averaged)
    with pytest.raises(ValueError, match="^decay"):
        R.WeightAverage(net, decay=2.0)


# --------------------------------------------------------------------------- pruning
@pytest.mark.parametrize("amount", [0.0, 0.3, 0.5, 0.9, 1.0])
def test_layer_pruning_equals_l1_unstructured(amount):
    net = small_net(norm=False)
    ref = small_net(norm=False)
    masks = R.prune_by_magnitude(net, amount, scope="layer")
    for name in ("0", "3"):
        prune.l1_unstructured(getattr(ref, name), "weight", amount=amount)
        torch.testing.assert_close(masks[f"{name}.weight"], getattr(ref, name).weight_mask)
        torch.testing.assert_close(getattr(net, name).weight, getattr(ref, name).weight)
    assert abs(R.sparsity(net) - sum(float((1 - m).sum()) for m in masks.values()) / 56) < 1e-9


@pytest.mark.parametrize("amount", [0.2, 0.6, 0.95])
def test_global_pruning_equals_global_unstructured(amount):
    net, ref = small_net(norm=False), small_net(norm=False)
    masks = R.magnitude_masks(net, amount, scope="global")
    prune.global_unstructured([(ref[0], "weight"), (ref[3], "weight")], pruning_method=prune.L1Unstructured,
                              amount=amount)
    torch.testing.assert_close(masks["0.weight"], ref[0].weight_mask)
    torch.testing.assert_close(masks["3.weight"], ref[3].weight_mask)
    with pytest.raises(ValueError, match="^scope"):
        R.magnitude_masks(net, 0.5, scope="row")
    with pytest.raises(ValueError, match="^amount"):
        R.magnitude_masks(net, 1.5)


# --------------------------------------------------------------------------- the experiment, the explorer
def test_moons_experiment_overfits_and_the_lab_remedy_closes_the_gap():
    baseline = R.moons_experiment(seed=0)
    assert baseline["train_acc"] > 0.97 and baseline["gap"] > 0.08  # more than Lab 05 part E allows
    fixed = R.moons_experiment(l2=0.02, dropout=0.3, patience=20, seed=0)  # Lab 05's reference answer
    assert fixed["gap"] < 0.08 and fixed["val_acc"] >= 0.78 and fixed["history"].stopped_early


def test_moons_experiment_uses_the_components_it_is_given():
    calls = []

    def counting_l2(model, alpha):
        calls.append(alpha)
        return R.l2_penalty(model, alpha)

    run = R.moons_experiment(l2=0.01, dropout=0.2, epochs=3, components={"l2_penalty": counting_l2, "Dropout": nn.Dropout})
    assert calls and set(calls) == {0.01}
    assert any(isinstance(m, nn.Dropout) for m in run["model"].modules())
    with pytest.raises(ValueError, match="^components"):
        R.moons_experiment(components={"dropout": nn.Dropout})


def test_regularization_explorer_figure_and_widget():
    import matplotlib.pyplot as plt

    from dlcourse import widgets

    fig = widgets.regularization_figure(0.01, 0.3)
    title = fig.axes[0].get_title()
    assert "α=0.01" in title and "p=0.3" in title and "val acc" in title
    w = widgets.regularization_explorer()
    assert [c.description for c in w.children[:2]] == ["L2 α", "dropout p"]
    w.children[1].value = 0.5
    w.update()
    plt.close("all")


# --------------------------------------------------------------------------- exact zeros: the proximal step
@given(w=tensors(shape=(5, 4), include_extremes=False), tau=st.floats(0, 3))
@settings(max_examples=40, deadline=None)
def test_soft_threshold_equals_softshrink(w, tau):
    torch.testing.assert_close(R.soft_threshold(w, tau), F.softshrink(w, tau))
    assert torch.all(R.soft_threshold(w, tau)[w.abs() <= tau] == 0)  # exactly zero inside the band


def test_soft_threshold_arguments_are_checked():
    with pytest.raises(ValueError, match="^threshold"):
        R.soft_threshold(torch.ones(3), -0.1)
    with pytest.raises(TypeError, match="^w"):
        R.soft_threshold([1.0, 2.0], 0.1)


def test_l1_proximal_step_thresholds_weights_only():
    net = small_net(norm=False)
    before = {name: p.detach().clone() for name, p in net.named_parameters()}
    R.l1_proximal_step(net, 0.2)
    for name, p in net.named_parameters():
        expected = F.softshrink(before[name], 0.2) if name.endswith("weight") else before[name]
        torch.testing.assert_close(p.detach(), expected)
    assert R.sparsity(net) == pytest.approx(float(sum((before[n].abs() <= 0.2).sum() for n in ("0.weight", "3.weight")))
                                            / sum(before[n].numel() for n in ("0.weight", "3.weight")))


def _sparse_regression(seed=0, n=100, d=20):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g, dtype=torch.float64)
    w_true = torch.zeros(d, dtype=torch.float64)
    w_true[:5] = torch.tensor([2.0, -3.0, 1.5, 1.0, -2.0], dtype=torch.float64)
    return X, X @ w_true + 0.3 * torch.randn(n, generator=g, dtype=torch.float64)


def test_ista_reaches_sklearn_lasso_with_its_exact_zeros():
    Lasso = pytest.importorskip("sklearn.linear_model").Lasso
    X, y = _sparse_regression()
    path = R.l1_least_squares(X, y, 0.1, lr=0.1, steps=2000, proximal=True)
    assert path.shape == (2001, 20) and torch.all(path[0] == 0)
    ref = torch.as_tensor(Lasso(alpha=0.1, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X.numpy(), y.numpy()).coef_)
    torch.testing.assert_close(path[-1], ref, atol=1e-8, rtol=0)
    assert torch.equal(path[-1] == 0, ref == 0) and int((ref == 0).sum()) == 15


def test_subgradient_l1_zigzags_around_zero_instead_of_reaching_it():
    X, y = _sparse_regression()
    lr, alpha = 0.1, 0.1
    path = R.l1_least_squares(X, y, alpha, lr=lr, steps=300, proximal=False)
    tail = path[-50:, 5:]  # the 15 weights whose lasso solution is 0
    assert not torch.any(tail == 0)
    assert tail.abs().max() <= 2 * lr * alpha  # the overshoot: at most lr * (alpha + |gradient|) < 2 lr alpha
    assert torch.all((tail[1:] * tail[:-1] < 0).sum(0) >= 5)  # each keeps crossing zero


def test_l1_least_squares_arguments_are_checked():
    X, y = _sparse_regression()
    with pytest.raises(ValueError, match="^X"):
        R.l1_least_squares(X, y[:-1], 0.1, lr=0.1)
    with pytest.raises(ValueError, match="^alpha"):
        R.l1_least_squares(X, y, -1.0, lr=0.1)
    with pytest.raises(ValueError, match="^steps"):
        R.l1_least_squares(X, y, 0.1, lr=0.1, steps=0)
