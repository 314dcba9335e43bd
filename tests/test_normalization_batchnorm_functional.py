"""dlcourse.normalization.batchnorm_functional: batch_norm against torch.nn.functional.batch_norm (values,
gradients, either affine part, evaluation mode), its closed-form backward pass against autograd of the formula
and gradcheck; the batch statistics."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import dlcourse
from dlcourse.normalization import batchnorm_functional as B


def _batch_norm_by_autograd(x, weight, bias, eps=1e-5):
    """The training-mode formula written out, differentiated by autograd: the oracle of the closed form."""
    dims = [d for d in range(x.ndim) if d != 1]
    view = (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dims, keepdim=True)
    out = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        out = out * weight.reshape(view)
    if bias is not None:
        out = out + bias.reshape(view)
    return out


@pytest.mark.parametrize("weight, bias", [(True, False), (False, True)])
def test_functional_batch_norm_takes_either_affine_part_like_torch(weight, bias):
    x = dlcourse.randn(6, 3, seed=0, dtype=torch.float64, device="cpu").requires_grad_()
    gamma = torch.tensor([0.5, 1.5, -2.0], dtype=torch.float64, requires_grad=True) if weight else None
    beta = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64, requires_grad=True) if bias else None
    ours = B.batch_norm(x, None, None, gamma, beta, training=True)
    ref = F.batch_norm(x, None, None, gamma, beta, training=True)
    torch.testing.assert_close(ours, ref)
    leaves = [t for t in (x, gamma, beta) if t is not None]
    torch.testing.assert_close(
        torch.autograd.grad(ours.sum() + (ours**2).sum(), leaves),
        torch.autograd.grad(ref.sum() + (ref**2).sum(), leaves),
    )


@pytest.mark.parametrize("shape", [(7, 3), (4, 3, 5), (3, 2, 4, 3)], ids=["NC", "NCL", "NCHW"])
@pytest.mark.parametrize("weight, bias", [(True, True), (True, False), (False, True), (False, False)])
def test_closed_form_backward_matches_autograd_of_the_formula_and_gradcheck(shape, weight, bias):
    g = dlcourse.make_generator(0)
    x = (3 + 2 * torch.randn(shape, generator=g, dtype=torch.float64)).requires_grad_()
    gamma = (1 + torch.randn(shape[1], generator=g, dtype=torch.float64)).requires_grad_() if weight else None
    beta = torch.randn(shape[1], generator=g, dtype=torch.float64).requires_grad_() if bias else None
    leaves = [t for t in (x, gamma, beta) if t is not None]
    upstream = torch.randn(shape, generator=g, dtype=torch.float64)
    ours = B.batch_norm(x, None, None, gamma, beta, training=True)
    oracle = _batch_norm_by_autograd(x, gamma, beta)
    torch.testing.assert_close(ours, oracle)
    torch.testing.assert_close(
        torch.autograd.grad(ours, leaves, upstream), torch.autograd.grad(oracle, leaves, upstream)
    )

    def normalized(*tensors):  # the leaves back in their places, None where there is no gamma or beta
        rest = list(tensors[1:])
        return B.batch_norm(
            tensors[0], None, None, rest.pop(0) if weight else None, rest.pop(0) if bias else None, training=True
        )

    assert torch.autograd.gradcheck(normalized, leaves)


@pytest.mark.parametrize(
    "requires",
    [(True, False, False), (False, True, True), (True, True, False)],
    ids=["input-only", "parameters-only", "input-and-weight"],
)
def test_backward_returns_only_the_gradients_asked_for(requires):
    x = dlcourse.randn(8, 3, seed=0, dtype=torch.float64) + 1
    gamma = torch.tensor([0.5, 1.5, -2.0], dtype=torch.float64)
    beta = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)
    ours_in = [t.clone().requires_grad_(r) for t, r in zip((x, gamma, beta), requires)]
    ref_in = [t.clone().requires_grad_(r) for t, r in zip((x, gamma, beta), requires)]
    upstream = dlcourse.randn(8, 3, seed=1, dtype=torch.float64)
    B.batch_norm(*ours_in[:1], None, None, *ours_in[1:], training=True).backward(upstream)
    F.batch_norm(ref_in[0], None, None, *ref_in[1:], training=True).backward(upstream)
    for ours, ref in zip(ours_in, ref_in):
        assert (ours.grad is None) == (ref.grad is None)
        if ref.grad is not None:
            torch.testing.assert_close(ours.grad, ref.grad)


@pytest.mark.parametrize("weight, bias", [(True, True), (True, False), (False, True), (False, False)])
def test_functional_batch_norm_in_eval_mode_matches_torch_with_gradients(weight, bias):
    g = dlcourse.make_generator(2)
    x = (5 + 3 * torch.randn(6, 3, 4, generator=g, dtype=torch.float64)).requires_grad_()
    running_mean = torch.tensor([4.0, 6.0, 5.0], dtype=torch.float64)
    running_var = torch.tensor([8.0, 10.0, 0.5], dtype=torch.float64)
    gamma = torch.tensor([0.5, 1.5, -2.0], dtype=torch.float64, requires_grad=True) if weight else None
    beta = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64, requires_grad=True) if bias else None
    ours = B.batch_norm(x, running_mean, running_var, gamma, beta, training=False)
    ref = F.batch_norm(x, running_mean, running_var, gamma, beta, training=False)
    torch.testing.assert_close(ours, ref)
    leaves = [t for t in (x, gamma, beta) if t is not None]
    upstream = torch.randn(x.shape, generator=g, dtype=torch.float64)
    torch.testing.assert_close(torch.autograd.grad(ours, leaves, upstream), torch.autograd.grad(ref, leaves, upstream))
    assert running_mean.tolist() == [4.0, 6.0, 5.0] and running_var.tolist() == [8.0, 10.0, 0.5]


def test_batch_statistics_use_the_biased_variance():
    x = dlcourse.randn(6, 3, 2, seed=0, dtype=torch.float64)
    mean, var = B.batch_statistics(x)
    torch.testing.assert_close(mean, x.mean((0, 2)))
    torch.testing.assert_close(var, x.var((0, 2), unbiased=False))
