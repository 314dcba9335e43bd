"""dlcourse.regularization.callbacks: early stopping's bookkeeping and with fit; weight averaging against
torch's AveragedModel."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from dlcourse.data import make_moons
from dlcourse.models import make_mlp
from dlcourse.regularization import callbacks as C
from dlcourse.training import fit


def small_net(seed=0, norm=True):
    torch.manual_seed(seed)
    layers = [nn.Linear(5, 7), nn.BatchNorm1d(7) if norm else nn.Identity(), nn.ReLU(), nn.Linear(7, 3)]
    return nn.Sequential(*layers)


class FakeHistory:
    def __init__(self):
        self.val_loss, self.val_metric = [], []


@pytest.mark.parametrize(
    "mode,values,stop_at,best_epoch",
    [
        ("min", [1.0, 0.8, 0.81, 0.79, 0.85, 0.9], 6, 4),
        ("max", [0.5, 0.6, 0.6, 0.7, 0.69, 0.7], 6, 4),
        ("max", [0.5, 0.6, 0.6, 0.7, 0.71], None, 5),
    ],
)
def test_early_stopping_bookkeeping(mode, values, stop_at, best_epoch):
    stopper = C.EarlyStopping(patience=2, mode=mode, monitor="val_loss")
    model, history = nn.Linear(1, 1), FakeHistory()
    stopped = None
    for epoch, v in enumerate(values, start=1):
        history.val_loss.append(v)
        if stopper(epoch, history, model):
            stopped = epoch
            break
    assert stopped == stop_at and stopper.state["best_epoch"] == best_epoch


def test_early_stopping_min_delta():
    stopper = C.EarlyStopping(patience=1, min_delta=0.05)
    history, model = FakeHistory(), nn.Linear(1, 1)
    history.val_loss += [1.0]
    assert not stopper(1, history, model)
    history.val_loss += [0.97]  # better, but by less than min_delta: no improvement
    assert stopper(2, history, model) and stopper.state == {"best": 1.0, "best_epoch": 1, "wait": 1, "stopped_epoch": 2}


def test_early_stopping_with_fit_restores_the_best_weights():
    data = make_moons(300, noise=0.3, seed=0).subset_train(30)
    torch.manual_seed(0)
    model = make_mlp(2, 2, depth=2, width=128)
    stopper = C.EarlyStopping(patience=3)
    snapshots = {}

    def remember(epoch, history, model):
        snapshots[epoch] = {k: v.clone() for k, v in model.state_dict().items()}
        return False

    history = fit(
        model, data.train, data.val, epochs=200, lr=0.03, callbacks=[remember, stopper], progress=False, device="cpu"
    )
    assert history.stopped_early and len(history) == stopper.state["stopped_epoch"] < 200
    best = stopper.state["best_epoch"]
    assert best == 1 + min(range(len(history)), key=lambda i: history.val_loss[i])
    assert len(history) - best == 3
    for k, v in model.state_dict().items():
        assert torch.equal(v, snapshots[best][k])


def test_early_stopping_arguments_are_checked():
    with pytest.raises(ValueError, match="^mode"):
        C.EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="^patience"):
        C.EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="^monitor"):
        C.EarlyStopping(monitor="accuracy")
    with pytest.raises(RuntimeError):
        C.EarlyStopping().restore(nn.Linear(1, 1))


@pytest.mark.parametrize("decay", [None, 0.9, 0.999])
def test_weight_average_equals_averaged_model(decay):
    net = small_net(norm=False)
    ours = C.WeightAverage(net, decay=decay)
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
        C.WeightAverage(net, decay=2.0)
