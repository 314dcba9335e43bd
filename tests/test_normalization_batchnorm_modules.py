"""dlcourse.normalization.batchnorm_modules against torch.nn's batch norm (values, gradients, running statistics,
signatures, state dicts); ghost batch norm per chunk."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

import dlcourse
from dlcourse import normalization as N
from dlcourse.normalization import batchnorm_modules as B

from .normalization_cases import TOL, assert_same, forward_backward, pair
from .strategies import bn_shapes

BN_CASES = [
    (B.BatchNorm1d, nn.BatchNorm1d, (16, 5)),
    (B.BatchNorm1d, nn.BatchNorm1d, (8, 5, 7)),
    (B.BatchNorm2d, nn.BatchNorm2d, (6, 3, 4, 5)),
]
BN_IDS = ["1d-NC", "1d-NCL", "2d-NCHW"]


@pytest.mark.parametrize("ours_cls, torch_cls, shape", BN_CASES, ids=BN_IDS)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_matches_torch_in_training_and_eval(ours_cls, torch_cls, shape, affine):
    ours, ref = pair(ours_cls, torch_cls, shape[1], affine=affine)
    x = 3 + 2 * dlcourse.randn(*shape, seed=0, dtype=torch.float64)
    assert_same(ours, ref, x)  # training mode: batch statistics
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        torch.testing.assert_close(getattr(ours, name), getattr(ref, name))
    ours.eval(), ref.eval()
    assert_same(ours, ref, dlcourse.randn(*shape, seed=2, dtype=torch.float64))  # eval: running statistics


@given(shape=bn_shapes, scale=st.floats(0.01, 100.0), offset=st.floats(-10.0, 10.0))
def test_batch_norm_matches_torch_on_drawn_shapes_float32(shape, scale, offset):
    """float32, any shape; the mean is at most 10 standard deviations away from 0 (beyond that,
    rounding of the input itself dominates and neither implementation is "right")."""
    ours_cls, torch_cls = (B.BatchNorm2d, nn.BatchNorm2d) if len(shape) == 4 else (B.BatchNorm1d, nn.BatchNorm1d)
    ours, ref = pair(ours_cls, torch_cls, shape[1], dtype=torch.float32)
    x = scale * (offset + dlcourse.randn(*shape, seed=3))
    grad = dlcourse.randn(*shape, seed=4)
    out_a, gx_a, gp_a = forward_backward(ours, x, grad)
    out_b, gx_b, gp_b = forward_backward(ref, x, grad)
    torch.testing.assert_close(out_a, out_b, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(gx_a, gx_b, atol=1e-4 / scale, rtol=1e-3)
    torch.testing.assert_close(gp_a["weight"], gp_b["weight"], atol=1e-3, rtol=1e-4)
    torch.testing.assert_close(ours.running_var, ref.running_var, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("momentum", [0.1, 0.5, None], ids=["m0.1", "m0.5", "cumulative"])
def test_running_statistics_after_20_training_steps(momentum):
    ours, ref = pair(B.BatchNorm1d, nn.BatchNorm1d, 6, momentum=momentum)
    g = dlcourse.make_generator(0)
    for step in range(20):
        n = 4 + step % 5  # varying batch sizes: the unbiased correction m/(m-1) changes
        x = step + torch.randn(n, 6, generator=g, dtype=torch.float64) * (1 + step)
        ours(x), ref(x)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        torch.testing.assert_close(getattr(ours, name), getattr(ref, name), **TOL)


def test_cumulative_average_is_the_plain_mean_of_batch_statistics():
    bn = B.BatchNorm1d(3, momentum=None, dtype=torch.float64)
    batches = [dlcourse.randn(10, 3, seed=s, dtype=torch.float64) * (s + 1) for s in range(5)]
    for x in batches:
        bn(x)
    torch.testing.assert_close(bn.running_mean, torch.stack([x.mean(0) for x in batches]).mean(0))
    torch.testing.assert_close(bn.running_var, torch.stack([x.var(0) for x in batches]).mean(0))


def test_train_eval_train_switching_matches_torch():
    ours, ref = pair(B.BatchNorm2d, nn.BatchNorm2d, 3)
    g = dlcourse.make_generator(5)
    for mode in ["train", "train", "eval", "eval", "train", "eval", "train"]:
        ours.train(mode == "train"), ref.train(mode == "train")
        x = 1 + torch.randn(4, 3, 2, 2, generator=g, dtype=torch.float64)
        assert_same(ours, ref, x)
        torch.testing.assert_close(ours.running_var, ref.running_var, **TOL)
    assert int(ours.num_batches_tracked) == 4


def test_eval_mode_is_independent_of_the_batch_and_leaves_buffers_alone():
    bn = B.BatchNorm1d(4)
    bn(dlcourse.randn(32, 4, seed=0) * 3 + 1)
    bn.eval()
    before = {k: v.clone() for k, v in bn.state_dict().items()}
    x = dlcourse.randn(8, 4, seed=1)
    torch.testing.assert_close(bn(x)[:1], bn(x[:1]))  # one example alone gives the same output
    for k, v in bn.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_no_running_stats_uses_batch_statistics_in_eval_like_torch():
    ours, ref = pair(B.BatchNorm1d, nn.BatchNorm1d, 4, track_running_stats=False)
    assert ours.running_mean is None and "running_mean" not in ours.state_dict()
    ours.eval(), ref.eval()
    assert_same(ours, ref, 2 + dlcourse.randn(10, 4, seed=0, dtype=torch.float64))


def test_one_value_per_channel_in_training_raises_like_torch():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(5)(torch.randn(1, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        B.BatchNorm1d(5)(torch.randn(1, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        B.BatchNorm2d(2)(torch.randn(1, 2, 1, 1))
    bn = B.BatchNorm1d(5).eval()
    assert bn(torch.randn(1, 5)).shape == (1, 5)  # fine in eval mode
    assert B.BatchNorm1d(5)(torch.randn(1, 5, 3)).shape == (1, 5, 3)  # 3 values per channel


@pytest.mark.parametrize(
    "cls, shape, expected",
    [
        (B.BatchNorm1d, (2, 3, 4, 5), r"2-D \(N, C\) or 3-D \(N, C, L\)"),
        (B.BatchNorm1d, (3,), r"2-D \(N, C\) or 3-D \(N, C, L\)"),
        (B.BatchNorm2d, (4, 3), r"4-D \(N, C, H, W\)"),
        (B.BatchNorm2d, (2, 3, 4), r"4-D \(N, C, H, W\)"),
    ],
)
def test_wrong_input_rank_names_the_expected_shape(cls, shape, expected):
    with pytest.raises(ValueError, match=f"input must be {expected}"):
        cls(3)(torch.randn(shape))


def test_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match="^input has 4 channels"):
        B.BatchNorm1d(3)(torch.randn(5, 4))
    with pytest.raises(TypeError, match="^input must be a floating-point"):
        B.BatchNorm1d(3)(torch.ones(5, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="^num_features"):
        B.BatchNorm1d(0)
    with pytest.raises(ValueError, match="^momentum"):
        B.BatchNorm1d(3, momentum=1.5)
    with pytest.raises(ValueError, match="^eps"):
        B.BatchNorm2d(3, eps=0.0)
    with pytest.raises(ValueError, match="^x must end with the normalized shape"):
        N.LayerNorm(4)(torch.randn(2, 5))
    with pytest.raises(ValueError, match="^normalized_shape"):
        N.LayerNorm((3, 0))


@pytest.mark.parametrize("ours_cls, torch_cls, shape", BN_CASES, ids=BN_IDS)
def test_batch_norm_without_bias_matches_torch(ours_cls, torch_cls, shape):
    ours, ref = ours_cls(shape[1], bias=False).double(), torch_cls(shape[1], bias=False).double()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()] == ["weight"]
    with torch.no_grad():
        for module in (ours, ref):
            module.weight.copy_(torch.linspace(0.5, 2.0, shape[1], dtype=torch.float64))
    x = 3 + 2 * dlcourse.randn(*shape, seed=0, dtype=torch.float64)
    assert_same(ours, ref, x)
    ours.eval(), ref.eval()
    assert_same(ours, ref, dlcourse.randn(*shape, seed=2, dtype=torch.float64))
    assert "bias=False" in repr(ours)


@pytest.mark.parametrize("ours_cls, torch_cls, shape", BN_CASES, ids=BN_IDS)
@pytest.mark.parametrize(
    "settings",
    [
        dict(momentum=None),
        dict(affine=False, momentum=None),
        dict(track_running_stats=False),
        dict(affine=False, track_running_stats=False),
    ],
    ids=["cumulative", "no-affine-cumulative", "no-running-stats", "no-affine-no-running-stats"],
)
def test_batch_norm_settings_match_torch_over_train_and_eval_steps(ours_cls, torch_cls, shape, settings):
    ours, ref = pair(ours_cls, torch_cls, shape[1], **settings)
    g = dlcourse.make_generator(3)
    for step, mode in enumerate(["train", "train", "eval", "train", "eval"]):
        ours.train(mode == "train"), ref.train(mode == "train")
        x = step + (1 + step) * torch.randn(shape, generator=g, dtype=torch.float64)
        assert_same(ours, ref, x, seed=step)
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            a, b = getattr(ours, name), getattr(ref, name)
            assert (a is None) == (b is None), name
            if a is not None:
                torch.testing.assert_close(a, b, **TOL)


def test_batch_norm_takes_non_contiguous_input_and_an_in_place_activation_after_it():
    ours, ref = pair(B.BatchNorm1d, nn.BatchNorm1d, 4)
    x = 2 + dlcourse.randn(5, 6, 4, seed=0, dtype=torch.float64).permute(0, 2, 1)  # (N, C, L), channels last
    assert not x.is_contiguous()
    assert_same(nn.Sequential(ours, nn.ReLU(inplace=True)), nn.Sequential(ref, nn.ReLU(inplace=True)), x)
    torch.testing.assert_close(ours.running_var, ref.running_var)


@pytest.mark.parametrize(
    "ours_cls, torch_cls",
    [(B.BatchNorm1d, nn.BatchNorm1d), (B.BatchNorm2d, nn.BatchNorm2d), (N.LayerNorm, nn.LayerNorm)],
)
def test_signatures_equal_torchs(ours_cls, torch_cls):
    import inspect

    shape = lambda cls: [(p.name, p.kind, p.default) for p in inspect.signature(cls.__init__).parameters.values()]  # noqa: E731
    assert shape(ours_cls) == shape(torch_cls)


def test_state_dict_is_interchangeable_with_torch():
    ref = nn.BatchNorm1d(4)
    ref(dlcourse.randn(16, 4, seed=0) * 2 + 5)
    ours = B.BatchNorm1d(4)
    ours.load_state_dict(ref.state_dict())
    assert set(ours.state_dict()) == set(ref.state_dict())
    ours.eval(), ref.eval()
    x = dlcourse.randn(3, 4, seed=1)
    torch.testing.assert_close(ours(x), ref(x))


def test_batch_norm_inside_a_model_trains_like_torch():
    from dlcourse import models, training
    from dlcourse.data import make_moons

    data = make_moons(200, seed=0)
    histories = []
    for norm in (B.BatchNorm1d, nn.BatchNorm1d):
        dlcourse.seed_everything(0)
        model = models.make_mlp(2, 2, depth=2, width=16, norm_layer=norm)
        histories.append(
            training.fit(
                model.double(),
                (data.X_train.double(), data.y_train),
                (data.X_val.double(), data.y_val),
                epochs=3,
                lr=0.05,
                progress=False,
                device="cpu",
            )
        )
    assert histories[0].val_loss == pytest.approx(histories[1].val_loss, rel=1e-6)


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("ghost_size, batch", [(2, 8), (3, 11), (5, 5), (16, 8), (4, 12)])
def test_ghost_batch_norm_is_batch_norm_per_chunk(ghost_size, batch, momentum):
    g = dlcourse.make_generator(3)
    x = (3 * torch.randn(batch, 4, generator=g, dtype=torch.float64) + 1).requires_grad_()
    ours = B.GhostBatchNorm1d(4, ghost_size=ghost_size, momentum=momentum).double()
    ref = nn.BatchNorm1d(4, momentum=momentum).double()
    for _ in range(2):  # a first batch, so that the running statistics start from a non-trivial state
        ours(x.detach()), torch.cat([ref(chunk) for chunk in x.detach().split(ghost_size)])
    with torch.no_grad():
        for m in (ours, ref):
            m.weight.copy_(torch.tensor([1.0, 2.0, 0.5, -1.0]))
            m.bias.copy_(torch.tensor([0.0, 1.0, -1.0, 0.3]))
    y = ours(x)
    # oracle: torch's BatchNorm1d applied chunk by chunk (running statistics updated once per chunk)
    x_ref = x.detach().clone().requires_grad_()
    y_ref = torch.cat([ref(chunk) for chunk in x_ref.split(ghost_size)])
    torch.testing.assert_close(y, y_ref, **TOL)
    torch.testing.assert_close(ours.running_mean, ref.running_mean, **TOL)
    torch.testing.assert_close(ours.running_var, ref.running_var, **TOL)
    w = torch.randn(batch, 4, generator=g, dtype=torch.float64)
    (y * w).sum().backward()
    (y_ref * w).sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad, **TOL)
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad, **TOL)
    ours.eval(), ref.eval()
    torch.testing.assert_close(ours(x.detach()), ref(x.detach()), **TOL)  # evaluation: running statistics


def test_ghost_batch_norm_checks_its_ghost_size():
    with pytest.raises(ValueError, match="^ghost_size"):
        B.GhostBatchNorm1d(3, ghost_size=0)
    with pytest.raises(TypeError, match="^ghost_size"):
        B.GhostBatchNorm1d(3, ghost_size=2.5)
    with pytest.raises(ValueError, match="^ghost_size"):
        B.GhostBatchNorm1d(3, ghost_size=1)
