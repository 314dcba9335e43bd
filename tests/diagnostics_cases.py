"""What the tests of dlcourse.diagnostics' checks share: a random batch and a small seeded MLP."""

import torch

from dlcourse import models, runtime


def digits_batch(n=64, classes=10, features=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, features, generator=g), torch.randint(0, classes, (n,), generator=g)


def small_mlp(features=8, classes=10, seed=0, **kw):
    runtime.seed_everything(seed)
    return models.make_mlp(features, classes, depth=2, width=16, **kw)
