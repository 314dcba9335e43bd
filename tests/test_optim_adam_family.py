"""dlcourse.optim.adam_family: Adam with torch's schedulers and state dicts, its type checks; NAdam's state dict
in torch's format. (Every optimizer of the package against torch.optim: tests/test_optim.py, through the
registry.)"""

from __future__ import annotations

import pytest
import torch

from dlcourse.optim import adam_family as O

from .optim_cases import steps as _steps


def test_works_with_torch_schedulers_and_state_dict():
    w = torch.nn.Parameter(torch.ones(2))
    opt = O.Adam([w], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    w.grad = torch.ones(2)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)
    opt2 = O.Adam([torch.nn.Parameter(torch.ones(2))], lr=0.1)
    opt2.load_state_dict(opt.state_dict())
    assert opt2.param_groups[0]["lr"] == pytest.approx(0.05)


@pytest.mark.parametrize(
    "kwargs,argument,error",
    [
        (dict(betas=0.9), "betas", TypeError),
        (dict(amsgrad="yes"), "amsgrad", TypeError),
        (dict(lr="0.1"), "lr", TypeError),
    ],
)
def test_bad_types_raise_type_error(kwargs, argument, error):
    with pytest.raises(error, match=rf"^{argument}"):
        O.Adam([torch.nn.Parameter(torch.ones(1))], **kwargs)


def test_state_dict_uses_torchs_format_without_touching_the_live_state():
    w = torch.nn.Parameter(torch.ones(2))
    opt = O.NAdam([w], lr=0.1)
    _steps(opt, [w], 0, 3)
    state = opt.state_dict()["state"][0]
    assert state["step"].dtype == torch.float32 and state["step"].item() == 3.0
    assert state["mu_product"].dtype == torch.float64
    assert isinstance(opt.state[w]["step"], int) and isinstance(opt.state[w]["mu_product"], float)
