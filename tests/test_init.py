"""dlcourse.init: fans, initializers against torch.nn.init, per-layer statistics."""

import inspect
import math

import pytest
import torch
from hypothesis import given, settings
from torch import nn

from dlcourse import activations as A
from dlcourse import init
from dlcourse.models import make_mlp

from .strategies import weight_shapes

WORKED = [0.9, 3.2, 150.0, -2.1, 0.3]


# --------------------------------------------------------------------------- fans
@pytest.mark.parametrize(
    "layer, expected",
    [
        (nn.Linear(100, 300), (100, 300)),
        (nn.Conv1d(4, 8, 5), (20, 40)),
        (nn.Conv2d(16, 32, 3), (144, 288)),
        (nn.Conv3d(2, 6, (1, 2, 3)), (12, 36)),
        (nn.Conv2d(16, 32, 3, groups=4), (36, 288)),
    ],
)
def test_fans_of_linear_and_conv_weights_match_torch(layer, expected):
    assert init.compute_fans(layer.weight) == expected == nn.init._calculate_fan_in_and_fan_out(layer.weight)
    assert init.compute_fans(layer) == expected  # a layer is accepted too
    assert init.fan_in(layer) == expected[0] and init.fan_out(layer) == expected[1]
    assert init.fan_avg(layer) == sum(expected) / 2
    assert init.receptive_field_size(layer) == math.prod(layer.weight.shape[2:])


@pytest.mark.parametrize("shape", [(), (5,)])
def test_zero_and_one_dimensional_weights_get_a_clear_error(shape):
    t = torch.empty(shape)
    for fn in (
        init.compute_fans,
        init.xavier_uniform_,
        init.xavier_normal_,
        init.he_uniform_,
        init.he_normal_,
        init.lecun_uniform_,
        init.lecun_normal_,
    ):
        with pytest.raises(ValueError, match="^tensor must have at least 2 dimensions"):
            fn(t)


def test_bad_arguments_are_named():
    w = torch.empty(3, 4)
    with pytest.raises(TypeError, match="^tensor"):
        init.xavier_uniform_([[1.0]])
    with pytest.raises(TypeError, match="^tensor"):
        init.normal_(torch.zeros(3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="^gain"):
        init.xavier_normal_(w, gain=0.0)
    with pytest.raises(ValueError, match="^mode"):
        init.he_normal_(w, mode="fan_sum")
    with pytest.raises(ValueError, match="^std"):
        init.normal_(w, std=-1.0)
    with pytest.raises(TypeError, match="^generator"):
        init.he_uniform_(w, generator=0)
    with pytest.raises(ValueError, match="^scheme"):
        init.init_model(nn.Linear(2, 2), "glorot")
    with pytest.raises(TypeError, match="^model"):
        init.init_model(w)
    with pytest.raises(ValueError, match="^activation_name"):
        init.recommended_init("swish")


# --------------------------------------------------------------------------- same draws as torch.nn.init
def _pair(ours, theirs, shape, seed=0):
    a, b = torch.empty(shape), torch.empty(shape)
    ours(a, generator=torch.Generator().manual_seed(seed))
    theirs(b, generator=torch.Generator().manual_seed(seed))
    return a, b


SLOPE = 0.2
PAIRS = {
    "xavier_uniform": (init.xavier_uniform_, nn.init.xavier_uniform_),
    "xavier_uniform gain": (
        lambda t, generator: init.xavier_uniform_(t, gain=5 / 3, generator=generator),
        lambda t, generator: nn.init.xavier_uniform_(t, gain=5 / 3, generator=generator),
    ),
    "xavier_normal": (init.xavier_normal_, nn.init.xavier_normal_),
    "he_uniform": (
        init.he_uniform_,
        lambda t, generator: nn.init.kaiming_uniform_(t, nonlinearity="relu", generator=generator),
    ),
    "he_normal": (
        init.he_normal_,
        lambda t, generator: nn.init.kaiming_normal_(t, nonlinearity="relu", generator=generator),
    ),
    "he_normal fan_out leaky": (
        lambda t, generator: init.he_normal_(
            t, gain=math.sqrt(2 / (1 + SLOPE**2)), mode="fan_out", generator=generator
        ),
        lambda t, generator: nn.init.kaiming_normal_(
            t, a=SLOPE, mode="fan_out", nonlinearity="leaky_relu", generator=generator
        ),
    ),
    "lecun_uniform": (
        init.lecun_uniform_,
        lambda t, generator: nn.init.kaiming_uniform_(t, nonlinearity="linear", generator=generator),
    ),
    "lecun_normal": (
        init.lecun_normal_,
        lambda t, generator: nn.init.kaiming_normal_(t, nonlinearity="linear", generator=generator),
    ),
    "normal": (init.normal_, nn.init.normal_),
    "normal, torch-style positional mean and std": (
        lambda t, generator: init.normal_(t, 0, 0.02, generator=generator),
        lambda t, generator: nn.init.normal_(t, 0, 0.02, generator=generator),
    ),
    "uniform": (init.uniform_, nn.init.uniform_),
    "uniform(-0.1, 0.3)": (
        lambda t, generator: init.uniform_(t, -0.1, 0.3, generator=generator),
        lambda t, generator: nn.init.uniform_(t, -0.1, 0.3, generator=generator),
    ),
    "trunc_normal": (init.trunc_normal_, nn.init.trunc_normal_),
    "trunc_normal shifted": (
        lambda t, generator: init.trunc_normal_(t, 0.5, 0.02, -0.1, 0.6, generator=generator),
        lambda t, generator: nn.init.trunc_normal_(t, 0.5, 0.02, -0.1, 0.6, generator=generator),
    ),
    "trunc_normal tail [2, 3]": (
        lambda t, generator: init.trunc_normal_(t, 0.0, 1.0, 2.0, 3.0, generator=generator),
        lambda t, generator: nn.init.trunc_normal_(t, 0.0, 1.0, 2.0, 3.0, generator=generator),
    ),
    "orthogonal": (init.orthogonal_, nn.init.orthogonal_),
    "orthogonal gain": (
        lambda t, generator: init.orthogonal_(t, 5 / 3, generator=generator),
        lambda t, generator: nn.init.orthogonal_(t, 5 / 3, generator=generator),
    ),
    "kaiming_uniform": (init.kaiming_uniform_, nn.init.kaiming_uniform_),
    "kaiming_normal fan_out tanh": (
        lambda t, generator: init.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh", generator=generator),
        lambda t, generator: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh", generator=generator),
    ),
    "kaiming_uniform leaky 0.2": (
        lambda t, generator: init.kaiming_uniform_(t, SLOPE, generator=generator),
        lambda t, generator: nn.init.kaiming_uniform_(t, SLOPE, generator=generator),
    ),
}

#: Functions that mirror torch.nn.init by name and must keep its signature (order, names, defaults).
MIRRORED = [
    "normal_",
    "uniform_",
    "constant_",
    "zeros_",
    "ones_",
    "trunc_normal_",
    "orthogonal_",
    "calculate_gain",
    "kaiming_uniform_",
    "kaiming_normal_",
    "xavier_uniform_",
    "xavier_normal_",
]


@pytest.mark.parametrize("name", MIRRORED)
def test_signatures_equal_torchs(name):
    shape = lambda f: [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]  # noqa: E731
    assert shape(getattr(init, name)) == shape(getattr(nn.init, name))


@pytest.mark.parametrize(
    "nonlinearity, param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("selu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", 0),
    ],
)
def test_calculate_gain_equals_torchs(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        nn.init.calculate_gain(nonlinearity, param), rel=1e-15
    )


def test_orthogonal_has_unit_singular_values_and_ones_fills():
    w = init.orthogonal_(torch.empty(50, 20, dtype=torch.float64), generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(torch.linalg.svdvals(w), torch.ones(20, dtype=torch.float64))
    assert torch.equal(init.ones_(torch.zeros(3, 2)), torch.ones(3, 2))
    t = init.trunc_normal_(torch.empty(10000), std=1.0, a=-0.5, b=1.5, generator=torch.Generator().manual_seed(0))
    assert t.min() >= -0.5 and t.max() <= 1.5


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda: init.uniform_(torch.empty(2), 1.0, 0.0), ValueError, "^b must be >= a"),
        (lambda: init.trunc_normal_(torch.empty(2), std=0.0), ValueError, "^std"),
        (lambda: init.trunc_normal_(torch.empty(2), a=1.0, b=1.0), ValueError, "^b must be > a"),
        (lambda: init.orthogonal_(torch.empty(3)), ValueError, "^tensor must have 2 or more"),
        (lambda: init.calculate_gain("swish"), ValueError, "^nonlinearity"),
        (lambda: init.calculate_gain("leaky_relu", "0.1"), ValueError, "^param"),
        (lambda: init.kaiming_normal_(torch.empty(3, 3), mode="fan_avg"), ValueError, "^mode"),
        (lambda: init.normal_(torch.empty(2), 0.0, -1.0), ValueError, "^std"),
    ],
)
def test_new_initializers_name_the_bad_argument(call, error, text):
    with pytest.raises(error, match=text):
        call()


@pytest.mark.parametrize("name", PAIRS)
@pytest.mark.parametrize("shape", [(300, 100), (32, 16, 3, 3), (8, 4, 5)])
def test_each_initializer_draws_exactly_what_torch_draws(name, shape):
    if name.startswith("trunc_normal") and "erfinv_" in inspect.getsource(nn.init._no_grad_trunc_normal_):
        pytest.skip("this torch draws truncated normals by inverse CDF; the course follows the newer rejection draw")
    ours, theirs = PAIRS[name]
    a, b = _pair(ours, theirs, shape, seed=len(name))
    assert torch.equal(a, b)


def test_constant_and_zeros_match_torch():
    a, b = torch.empty(4, 5), torch.empty(4, 5)
    assert torch.equal(init.constant_(a, 0.3), nn.init.constant_(b, 0.3))
    assert torch.equal(init.zeros_(a), nn.init.zeros_(b))


@settings(max_examples=25, deadline=None)
@given(shape=weight_shapes)
def test_bounds_and_stds_equal_the_formulas(shape):
    w = torch.empty(shape)
    fi, fo = init.compute_fans(w)
    g = torch.Generator().manual_seed(1)
    r = math.sqrt(6.0 / (fi + fo))  # the correct Glorot bound (not sqrt(6) / (fi + fo))
    assert init.xavier_uniform_(w, generator=g).abs().max() <= r * (1 + 1e-6)
    assert init.he_uniform_(w, generator=g).abs().max() <= math.sqrt(6.0 / fi) * (1 + 1e-6)
    assert init.lecun_uniform_(w, generator=g).abs().max() <= math.sqrt(3.0 / fi) * (1 + 1e-6)


# target variance of each scheme for a (fan_out=1000, fan_in=1000) weight
TARGETS = {
    "xavier_uniform": (init.xavier_uniform_, 1 / 1000),
    "xavier_normal": (init.xavier_normal_, 1 / 1000),
    "he_uniform": (init.he_uniform_, 2 / 1000),
    "he_normal": (init.he_normal_, 2 / 1000),
    "lecun_uniform": (init.lecun_uniform_, 1 / 1000),
    "lecun_normal": (init.lecun_normal_, 1 / 1000),
    "normal": (init.normal_, 1.0),
}


@pytest.mark.parametrize("name", TARGETS)
def test_sample_variance_of_a_million_draws_is_within_2_percent(name):
    fn, target = TARGETS[name]
    w = fn(torch.empty(1000, 1000), generator=torch.Generator().manual_seed(7))
    assert abs(w.var().item() / target - 1) < 0.02
    assert abs(w.mean().item()) < 0.01 * math.sqrt(target)


def test_xavier_bound_uses_the_corrected_formula():
    w = init.xavier_uniform_(torch.empty(200, 100), generator=torch.Generator().manual_seed(0))
    correct, erratum = math.sqrt(6 / 300), math.sqrt(6) / 300
    assert erratum < w.abs().max().item() <= correct
    assert w.abs().max().item() > 0.99 * correct


# --------------------------------------------------------------------------- recommended_init / init_model
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


# --------------------------------------------------------------------------- layer statistics
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


# --------------------------------------------------------------------------- the chapter's explorer
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
