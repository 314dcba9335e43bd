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
