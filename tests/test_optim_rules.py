"""dlcourse.optim.rules: each update rule by hand on one parameter, against its formula (the classes
run them against torch.optim in tests/test_optim.py)."""

from __future__ import annotations

import math

import pytest
import torch

from dlcourse import optim as O


def test_sgd_update_with_momentum_follows_torchs_formulation():
    theta, state = torch.tensor([1.0, -1.0], dtype=torch.float64), {}
    g = torch.tensor([0.5, 2.0], dtype=torch.float64)
    O.sgd_update(theta, g, state, lr=0.1, momentum=0.9)  # v1 = g
    torch.testing.assert_close(theta, torch.tensor([1.0 - 0.05, -1.0 - 0.2], dtype=torch.float64))
    O.sgd_update(theta, g, state, lr=0.1, momentum=0.9)  # v2 = 0.9 v1 + g = 1.9 g
    torch.testing.assert_close(state["momentum_buffer"], 1.9 * g)
    torch.testing.assert_close(theta, torch.tensor([1.0 - 0.05 - 0.095, -1.0 - 0.2 - 0.38], dtype=torch.float64))


def test_adam_first_step_moves_each_weight_by_lr_against_its_gradient_sign():
    theta, state = torch.zeros(3, dtype=torch.float64), {}
    O.adam_update(theta, torch.tensor([1e-3, -5.0, 40.0], dtype=torch.float64), state, lr=0.01, eps=0.0)
    torch.testing.assert_close(theta, torch.tensor([-0.01, 0.01, -0.01], dtype=torch.float64))
    assert state["step"] == 1


def test_rmsprop_first_step_divides_by_the_root_of_the_averaged_square():
    theta, state = torch.zeros(1, dtype=torch.float64), {}
    O.rmsprop_update(theta, torch.tensor([2.0], dtype=torch.float64), state, lr=0.1, alpha=0.99, eps=0.0)
    assert theta.item() == pytest.approx(-0.1 * 2.0 / math.sqrt(0.01 * 4.0))


def test_maximize_and_weight_decay_enter_the_gradient():
    theta = torch.tensor([2.0], dtype=torch.float64)
    O.sgd_update(theta, torch.tensor([1.0], dtype=torch.float64), {}, lr=0.1, weight_decay=0.5, maximize=True)
    assert theta.item() == pytest.approx(2.0 - 0.1 * (-1.0 + 0.5 * 2.0))
