"""dlcourse.init.fans: the fans of Linear and Conv weights and the gains, against torch.nn.init."""

import math

import pytest
import torch
from torch import nn

from dlcourse import init


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
