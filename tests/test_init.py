"""dlcourse.init, the package: the checks that span its modules — every initializer draws exactly what its
torch.nn.init counterpart draws and keeps its signature, and every bad argument is named.
(The tests of each module are in tests/test_init_<module>.py, for dlcourse/init/<module>.py.)"""

import inspect
import math

import pytest
import torch
from torch import nn

from dlcourse import init


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
