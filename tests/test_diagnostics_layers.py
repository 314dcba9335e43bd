"""dlcourse.diagnostics.layers: recording each layer's outputs and gradients, their statistics, dead and distinct units."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlcourse import diagnostics, models

from .diagnostics_cases import digits_batch, small_mlp


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
