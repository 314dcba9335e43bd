"""dlcourse.regularization.pruning against torch.nn.utils.prune."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils import prune

from dlcourse.regularization import pruning as Q


def small_net(seed=0, norm=True):
    torch.manual_seed(seed)
    layers = [nn.Linear(5, 7), nn.BatchNorm1d(7) if norm else nn.Identity(), nn.ReLU(), nn.Linear(7, 3)]
    return nn.Sequential(*layers)


@pytest.mark.parametrize("amount", [0.0, 0.3, 0.5, 0.9, 1.0])
def test_layer_pruning_equals_l1_unstructured(amount):
    net = small_net(norm=False)
    ref = small_net(norm=False)
    masks = Q.prune_by_magnitude(net, amount, scope="layer")
    for name in ("0", "3"):
        prune.l1_unstructured(getattr(ref, name), "weight", amount=amount)
        torch.testing.assert_close(masks[f"{name}.weight"], getattr(ref, name).weight_mask)
        torch.testing.assert_close(getattr(net, name).weight, getattr(ref, name).weight)
    assert abs(Q.sparsity(net) - sum(float((1 - m).sum()) for m in masks.values()) / 56) < 1e-9


@pytest.mark.parametrize("amount", [0.2, 0.6, 0.95])
def test_global_pruning_equals_global_unstructured(amount):
    net, ref = small_net(norm=False), small_net(norm=False)
    masks = Q.magnitude_masks(net, amount, scope="global")
    prune.global_unstructured(
        [(ref[0], "weight"), (ref[3], "weight")], pruning_method=prune.L1Unstructured, amount=amount
    )
    torch.testing.assert_close(masks["0.weight"], ref[0].weight_mask)
    torch.testing.assert_close(masks["3.weight"], ref[3].weight_mask)
    with pytest.raises(ValueError, match="^scope"):
        Q.magnitude_masks(net, 0.5, scope="row")
    with pytest.raises(ValueError, match="^amount"):
        Q.magnitude_masks(net, 1.5)
