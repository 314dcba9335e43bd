"""dlcourse.activations.elementwise: sigmoid stays exact where the naive formula overflows; bad arguments.
(Every registered function against torch.nn.functional and autograd: tests/test_activations.py.)"""

from __future__ import annotations

import pytest
import torch

from dlcourse.activations import elementwise as E


def test_sigmoid_is_stable_where_the_naive_formula_fails():
    x = torch.tensor([-1e4, 1e4])
    naive = torch.exp(x) / (1 + torch.exp(x))  # inf / inf = nan at +1e4
    assert torch.isnan(naive).any()
    torch.testing.assert_close(E.sigmoid(x), torch.tensor([0.0, 1.0]))


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: E.sigmoid([1.0, 2.0]), TypeError, "x must be a torch.Tensor"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
