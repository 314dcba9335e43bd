"""dlcourse.clipping against torch.nn.utils: the worked vector, random parameter sets, the optimizer hook, errors."""

import math

import pytest
import torch
from hypothesis import given, settings
from torch import nn

from dlcourse import clipping

from .strategies import clip_thresholds, parameter_sets

WORKED = [0.9, 3.2, 150.0, -2.1, 0.3]


def test_bad_arguments_are_named():
    w = torch.zeros(3, requires_grad=True)
    with pytest.raises(ValueError, match="^clip_value"):
        clipping.clip_grad_value_([w], -1.0)
    with pytest.raises(ValueError, match="^max_norm"):
        clipping.clip_grad_norm_([w], -1.0)
    with pytest.raises(TypeError, match="^parameters"):
        clipping.clip_grad_norm_(3, 1.0)


def test_the_names_chapter_2_and_lab_2_call_stay_in_init():
    from dlcourse import init

    assert init.clip_grad_norm_ is clipping.clip_grad_norm_ and init.clip_grad_value_ is clipping.clip_grad_value_
    assert init.add_gradient_clipping is clipping.add_gradient_clipping


def _with_grad(values):
    p = torch.zeros(len(values), requires_grad=True)
    p.grad = torch.tensor(values)
    return p


def test_clipping_the_worked_vector():
    p, q = _with_grad(WORKED), _with_grad(WORKED)
    clipping.clip_grad_value_([p], 1.0)
    nn.utils.clip_grad_value_([q], 1.0)
    assert torch.equal(p.grad, q.grad)
    assert p.grad.tolist() == pytest.approx([0.9, 1.0, 1.0, -1.0, 0.3])

    p, q = _with_grad(WORKED), _with_grad(WORKED)
    norm = clipping.clip_grad_norm_(p, 1.0)
    expected_norm = nn.utils.clip_grad_norm_(q, 1.0)
    assert norm.item() == pytest.approx(150.0518, abs=1e-4) and torch.equal(norm, expected_norm)
    torch.testing.assert_close(p.grad, q.grad)
    assert [round(v, 3) for v in p.grad.tolist()] == [0.006, 0.021, 1.0, -0.014, 0.002]


@settings(max_examples=30, deadline=None)
@given(params=parameter_sets(), threshold=clip_thresholds)
def test_clipping_matches_torch_on_random_parameter_sets(params, threshold):
    ours, theirs = (
        [torch.zeros_like(g, requires_grad=True) for g in params],
        [torch.zeros_like(g, requires_grad=True) for g in params],
    )
    for o, t, grad in zip(ours, theirs, params):
        o.grad, t.grad = grad.clone(), grad.clone()
    torch.testing.assert_close(clipping.clip_grad_norm_(ours, threshold), nn.utils.clip_grad_norm_(theirs, threshold))
    for o, t in zip(ours, theirs):
        torch.testing.assert_close(o.grad, t.grad)
        o.grad, t.grad = o.grad * 7, t.grad * 7
    clipping.clip_grad_value_(ours, threshold)
    nn.utils.clip_grad_value_(theirs, threshold)
    for o, t in zip(ours, theirs):
        assert torch.equal(o.grad, t.grad)


def test_clip_grad_norm_with_inf_norm_and_no_grads():
    p, q = _with_grad(WORKED), _with_grad(WORKED)
    torch.testing.assert_close(
        clipping.clip_grad_norm_(p, 2.0, norm_type=math.inf), nn.utils.clip_grad_norm_(q, 2.0, norm_type=math.inf)
    )
    torch.testing.assert_close(p.grad, q.grad)
    assert clipping.clip_grad_norm_([torch.zeros(3, requires_grad=True)], 1.0).item() == 0.0


def test_add_gradient_clipping_clips_before_each_step_and_records_norms():
    p = torch.zeros(5, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    norms = clipping.add_gradient_clipping(opt, max_norm=1.0)
    p.grad = torch.tensor(WORKED)
    opt.step()
    assert norms == [pytest.approx(150.0518, abs=1e-4)]
    assert torch.linalg.vector_norm(p.detach()).item() == pytest.approx(1.0, abs=1e-5)
    q = torch.zeros(5, requires_grad=True)
    opt = torch.optim.SGD([q], lr=1.0)
    clipping.add_gradient_clipping(opt, clip_value=1.0)
    q.grad = torch.tensor(WORKED)
    opt.step()
    assert q.detach().tolist() == pytest.approx([-0.9, -1.0, -1.0, 1.0, -0.3])
    with pytest.raises(ValueError, match="^clip_value / max_norm"):
        clipping.add_gradient_clipping(opt, clip_value=1.0, max_norm=1.0)
