import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlcourse import data, models, training
from dlcourse.activations import Activation, PReLU


def test_make_mlp_structure():
    m = models.make_mlp(
        64,
        10,
        depth=3,
        width=16,
        activation="elu",
        activation_kwargs={"alpha": 0.5},
        norm_layer=nn.BatchNorm1d,
        dropout=0.1,
    )
    assert [type(layer) for layer in m][:5] == [nn.Flatten, nn.Linear, nn.BatchNorm1d, Activation, nn.Dropout]
    assert len(models.linear_layers(m)) == 4
    assert m(torch.zeros(5, 1, 8, 8)).shape == (5, 10)
    assert isinstance(models.make_mlp(2, 1, hidden_sizes=[3, 4], activation="prelu")[2], PReLU)
    assert len(models.linear_layers(models.make_mlp(2, 1, depth=0))) == 1


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(activation="swish"), ValueError, "name must be one of"),
        (dict(width=0), ValueError, "width must be >= 1"),
        (dict(dropout=1.0), ValueError, "dropout must be in \\[0, 1\\)"),
        (dict(depth=-1), ValueError, "depth must be >= 0"),
    ],
)
def test_make_mlp_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        models.make_mlp(4, 2, **kwargs)


def test_fit_learns_moons_and_records_history():
    d = data.make_moons(400, noise=0.1, seed=0)
    torch.manual_seed(0)
    model = models.make_mlp(2, 2, depth=2, width=32)
    h = training.fit(model, d.train, d.val, epochs=30, lr=0.01, progress=False, seed=0)
    assert len(h) == 30 and h.epoch == list(range(1, 31))
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.val_metric[-1] > 0.95
    loss, acc = training.evaluate(model, d.test)
    assert acc > 0.9 and loss == pytest.approx(F.cross_entropy(model(d.X_test), d.y_test).item(), rel=1e-5)


def test_fit_is_deterministic_given_seeds():
    d = data.make_moons(200, seed=0)
    runs = []
    for _ in range(2):
        torch.manual_seed(1)
        m = models.make_mlp(2, 2, depth=1, width=8)
        runs.append(training.fit(m, d.train, epochs=3, lr=0.05, progress=False, seed=2).train_loss)
    assert runs[0] == runs[1]


def test_fit_regression_with_mse_and_scheduler_and_callback():
    d = data.load_diabetes()
    torch.manual_seed(0)
    m = models.make_mlp(10, 1, depth=1, width=16)
    opt = torch.optim.Adam(m.parameters(), lr=0.01)  # raw targets (~150): plain SGD would diverge
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    stop_at_3 = lambda epoch, history, model: epoch == 3
    h = training.fit(
        m,
        d.train,
        d.val,
        epochs=10,
        optimizer=opt,
        scheduler=sched,
        loss_fn=F.mse_loss,
        metric="mse",
        callbacks=[stop_at_3],
        progress=False,
    )
    assert len(h) == 3 and h.stopped_early
    assert h.lr == [0.01, 0.01, 0.005]
    assert h.val_metric[-1] == pytest.approx(h.val_loss[-1])


def test_eval_train_scores_in_eval_mode():
    d = data.make_moons(200, seed=0)
    m = models.make_mlp(2, 2, depth=1, width=8, dropout=0.5)
    h = training.fit(m, d.train, epochs=2, eval_train=True, progress=False)
    loss, acc = training.evaluate(m, d.train)
    assert h.train_loss[-1] == pytest.approx(loss) and h.train_metric[-1] == pytest.approx(acc)


def test_accuracy_for_single_logit_and_multiclass():
    assert training.accuracy(torch.tensor([[2.0], [-1.0]]), torch.tensor([1, 1])) == 0.5
    assert training.accuracy(torch.tensor([[0.1, 0.9], [0.8, 0.2]]), torch.tensor([1, 0])) == 1.0


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(train=[torch.zeros(3, 2)]), TypeError, "train must be a pair"),
        (dict(train=(torch.zeros(3, 2), torch.zeros(2))), ValueError, "same length"),
        (dict(epochs=0), ValueError, "epochs must be >= 1"),
        (dict(optimizer="lbfgs"), ValueError, "optimizer must be one of"),
        (dict(metric="f2"), ValueError, "metric must be one of"),
        (dict(lr=-1.0), ValueError, "lr must be > 0"),
        (dict(optimizer=lambda p: torch.optim.SGD(p, lr=0.1), lr=0.01), ValueError, "^lr is used only with a named"),
        (dict(optimizer=42), TypeError, "^optimizer must be a name"),
    ],
)
def test_fit_errors(kwargs, exc, match):
    d = data.make_moons(100, seed=0)
    args = dict(train=d.train, epochs=1, progress=False)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        training.fit(models.make_mlp(2, 2, depth=1, width=4), **args)


def test_make_cnn_shapes_and_errors():
    m = models.make_cnn(1, 10, image_size=8, channels=(4, 8), dropout=0.1)
    assert m(torch.zeros(3, 1, 8, 8)).shape == (3, 10)
    assert sum(isinstance(layer, nn.Conv2d) for layer in m) == 2
    assert models.make_cnn(3, 5, image_size=16, channels=(4, 4, 4))(torch.zeros(2, 3, 16, 16)).shape == (2, 5)
    with pytest.raises(ValueError, match="channels"):
        models.make_cnn(image_size=8, channels=(4, 4, 4, 4))
    with pytest.raises(ValueError, match="in_channels must be >= 1"):
        models.make_cnn(0)


def test_fit_transform_default_none_is_unchanged_and_is_applied_per_batch():
    d = data.make_moons(200, seed=0)
    runs = []
    for transform in (None, lambda xb, yb: (xb, yb)):
        torch.manual_seed(1)
        m = models.make_mlp(2, 2, depth=1, width=8)
        runs.append(training.fit(m, d.train, epochs=3, lr=0.05, progress=False, seed=2, transform=transform).train_loss)
    assert runs[0] == runs[1]
    sizes = []

    def soft_targets(xb, yb):  # records the batch sizes and returns soft (one-hot) targets
        sizes.append(len(xb))
        return xb, F.one_hot(yb, 2).float()

    torch.manual_seed(1)
    m = models.make_mlp(2, 2, depth=1, width=8)
    h = training.fit(m, d.train, d.val, epochs=2, batch_size=64, progress=False, transform=soft_targets)
    n = len(d.y_train)
    assert sizes == [min(64, n - i) for i in range(0, n, 64)] * 2
    assert 0.0 <= h.train_metric[-1] <= 1.0 and h.val_metric[-1] > 0.5


def test_accuracy_accepts_soft_targets():
    out = torch.tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 0.0]])
    soft = torch.tensor([[0.7, 0.3], [0.4, 0.6], [0.2, 0.8]])
    assert training.accuracy(out, soft) == pytest.approx(2 / 3)
