"""dlcourse.diagnostics.nan: find_nan names the first non-finite layer and the backward op that returned NaN."""

import torch
import torch.nn.functional as F
from torch import nn

from dlcourse import diagnostics, runtime

from .diagnostics_cases import digits_batch, small_mlp


class NaiveLogSoftmax(nn.Module):
    def forward(self, x):
        return torch.log(torch.softmax(x, dim=1))


def test_find_nan_names_the_backward_op():
    X, y = digits_batch()
    healthy = small_mlp()
    report = diagnostics.find_nan(healthy, X, y)
    assert not report.found and all(p.grad is None for p in healthy.parameters())
    runtime.seed_everything(0)
    buggy = small_mlp()
    with torch.no_grad():
        buggy[-1].weight.mul_(1000)  # huge logits: softmax underflows to exactly 0
    buggy = nn.Sequential(buggy, NaiveLogSoftmax())  # planted bug: log(softmax) instead of log_softmax
    report = diagnostics.find_nan(buggy, X, y, loss_fn=F.nll_loss)
    assert report.found and report.op == "LogBackward0" and report.layer == "1"
    assert "LogBackward0" in str(report)
