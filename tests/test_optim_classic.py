"""dlcourse.optim.classic: SGD calls the closure. (Every optimizer of the package, SGD, Adagrad and RMSprop
among them, against torch.optim: tests/test_optim.py, through the registry.)"""

from __future__ import annotations

import pytest
import torch

from dlcourse.optim import classic as O


def test_closure_is_called():
    w = torch.nn.Parameter(torch.tensor([3.0]))
    opt = O.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == pytest.approx(9.0)
    assert w.item() == pytest.approx(3.0 - 0.1 * 6.0)
