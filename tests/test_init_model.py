"""dlcourse.init.model: the recommended scheme per activation, initializing a whole model, per-layer statistics
(and the chapter's explorer built on them)."""

import pytest
import torch
from torch import nn

from dlcourse import activations as A
from dlcourse import init
from dlcourse.models import make_mlp


def test_recommended_init_follows_the_table():
    assert {n: init.recommended_init(n) for n in ["identity", "sigmoid", "tanh", "softmax"]} == dict.fromkeys(
        ["identity", "sigmoid", "tanh", "softmax"], "xavier_normal"
    )
    assert init.recommended_init("selu", "uniform") == "lecun_uniform"
    for name in ["relu", "leaky_relu", "rrelu", "prelu", "elu", "gelu", "softplus"]:
        assert init.recommended_init(name) == "he_normal"
    for name in A.activation_names():
        assert init.recommended_init(name) in init.INITIALIZERS


def test_init_model_initialises_every_weight_and_zeroes_biases():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
    init.init_model(model, "he_uniform", generator=torch.Generator().manual_seed(3))
    g = torch.Generator().manual_seed(3)
    for layer in (model[0], model[3]):
        expected = nn.init.kaiming_uniform_(torch.empty_like(layer.weight), nonlinearity="relu", generator=g)
        assert torch.equal(layer.weight, expected)
        assert torch.count_nonzero(layer.bias) == 0
    assert model[0].weight.requires_grad  # still trainable parameters


def test_init_model_accepts_callables_and_keywords():
    model = make_mlp(8, 3, depth=2, width=16, activation="tanh")
    init.init_model(model, lambda w: init.constant_(w, 0.5))
    assert all(bool((m.weight == 0.5).all()) for m in model if isinstance(m, nn.Linear))
    init.init_model(model, "normal", std=1.0, generator=torch.Generator().manual_seed(0))
    assert torch.equal(model[1].weight, torch.empty(16, 8).normal_(0, 1.0, generator=torch.Generator().manual_seed(0)))
    with pytest.raises(TypeError, match="^generator"):
        init.init_model(model, lambda w: w, generator=torch.Generator())


def test_layer_stds_summarise_record_layers():
    torch.manual_seed(0)
    model = init.init_model(
        make_mlp(32, 4, depth=5, width=64, activation="tanh"),
        "xavier_normal",
        generator=torch.Generator().manual_seed(0),
    )
    X = torch.randn(256, 32, generator=torch.Generator().manual_seed(1))
    y = torch.randint(0, 4, (256,), generator=torch.Generator().manual_seed(2))
    out, grad = init.layer_stds(model, X), init.layer_stds(model, X, y, which="grad")
    assert len(out) == len(grad) == 5 and all(0.2 < s < 1.0 for s in out)
    with pytest.raises(ValueError, match="^y"):
        init.layer_stds(model, X, which="grad")


def test_init_explorer_figure_changes_with_each_argument():
    import matplotlib.pyplot as plt
    import numpy as np

    from dlcourse import widgets

    def curve(**kwargs):
        fig = widgets.init_figure(width=32, n=64, **kwargs)
        y = np.asarray(fig.axes[0].get_lines()[0].get_ydata())
        plt.close(fig)
        return y

    base = curve()
    assert len(base) == 10 and np.all(np.diff(base) < 0)  # std 0.05 < Xavier's 0.18 for width 32: shrinks
    assert len(curve(depth=4)) == 4
    assert curve(weight_std=1.0)[-1] > base[-1]
    assert not np.allclose(curve(activation="relu"), base)
    w = widgets.init_explorer()
    assert [c.description for c in w.children[:3]] == ["depth", "weight std", "activation"]
    plt.close("all")
