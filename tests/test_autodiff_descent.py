"""dlcourse.autodiff.descent: gradient descent with the engine's gradients; logistic regression's hand-derived
gradient against autograd; mini-batch gradient descent on a real data set."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse import autodiff as AD
from dlcourse import data


def test_autodiff_gradient_descent_follows_the_gradient():
    path = AD.autodiff_gradient_descent(lambda x, y: (x - 1) ** 2 + 10 * (y + 2) ** 2, [3.0, 1.0], lr=0.04, steps=200)
    assert path.shape == (201, 2)
    np.testing.assert_allclose(path[1], [3.0 - 0.04 * 4.0, 1.0 - 0.04 * 60.0])
    np.testing.assert_allclose(path[-1], [1.0, -2.0], atol=1e-3)


def test_logistic_gradient_matches_autograd_and_the_one_example_formula():
    g = torch.Generator().manual_seed(0)
    X, w = torch.randn(20, 4, generator=g, dtype=torch.float64), torch.randn(4, generator=g, dtype=torch.float64)
    y = (torch.rand(20, generator=g) > 0.5).long()
    wr, br = w.clone().requires_grad_(True), torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    loss = AD.logistic_loss(wr, br, X, y)
    torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(X @ wr + br, y.double()))
    loss.backward()
    gw, gb = AD.logistic_grad(w, 0.3, X, y)
    torch.testing.assert_close(gw, wr.grad)
    torch.testing.assert_close(gb, br.grad)
    x1 = X[:1]
    gw1, _ = AD.logistic_grad(w, 0.0, x1, torch.ones(1, dtype=torch.long))
    torch.testing.assert_close(gw1, -(1 - torch.sigmoid(x1[0] @ w)) * x1[0])


def test_minibatch_gd_records_every_step_and_learns_breast_cancer():
    d = data.load_breast_cancer()
    X, y = d.train
    runs = {B: AD.minibatch_gd(X, y, batch_size=B, lr=0.1, epochs=3) for B in (len(X), 32, 1)}
    for B, run in runs.items():
        assert run.steps_per_epoch == math.ceil(len(X) / B)
        assert run.step == list(range(3 * run.steps_per_epoch + 1))
        assert run.loss[0] == pytest.approx(math.log(2)) and run.loss[-1] < run.loss[0]
        assert run.seconds == sorted(run.seconds)
        np.testing.assert_allclose(run.epoch[-1], 3.0)
    assert np.all(np.diff(runs[len(X)].loss) < 0)  # full batch, small lr: the loss never rises
    assert runs[1].accuracy(*d.test) >= 0.95
    assert runs[32].loss[-1] < runs[len(X)].loss[-1]
    again = AD.minibatch_gd(X, y, batch_size=32, lr=0.1, epochs=3)
    assert again.loss == runs[32].loss  # seeded
    sparse = AD.minibatch_gd(X, y, batch_size=100, lr=0.1, epochs=1, record_every=3)
    assert sparse.step == [0, 3, 4]
    with pytest.raises(ValueError, match="X must be \\(n, d\\)"):
        AD.minibatch_gd(X, y[:-1], batch_size=4, lr=0.1)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        AD.minibatch_gd(X, y, batch_size=0, lr=0.1)
