"""dlcourse.regularization.models: bootstrap resamples and the tied autoencoder."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from dlcourse.regularization import models as M


def test_bootstrap_indices_draw_with_replacement():
    idx = M.bootstrap_indices(10_000, generator=torch.Generator().manual_seed(0))
    assert idx.shape == (10_000,) and idx.dtype == torch.long
    assert int(idx.min()) >= 0 and int(idx.max()) < 10_000
    distinct = len(torch.unique(idx)) / 10_000
    assert abs(distinct - (1 - (1 - 1 / 10_000) ** 10_000)) < 0.01  # about 63 % distinct
    again = M.bootstrap_indices(10_000, generator=torch.Generator().manual_seed(0))
    assert torch.equal(idx, again)
    with pytest.raises(ValueError, match="^n"):
        M.bootstrap_indices(0)


def test_tied_autoencoder_shares_one_matrix_and_accumulates_both_gradients():
    ae = M.TiedAutoencoder(6, 3).double()
    assert sum(p.numel() for p in ae.parameters()) == 6 * 3 + 3 + 6
    x = torch.randn(5, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    ((ae(x) - x) ** 2).sum().backward()
    # oracle: the same network with two independent copies of W; the tied gradient is their sum
    W_enc = ae.encoder.weight.detach().clone().requires_grad_()
    W_dec = ae.encoder.weight.detach().clone().requires_grad_()
    h = torch.relu(F.linear(x, W_enc, ae.encoder.bias.detach()))
    out = F.linear(h, W_dec.t(), ae.decoder_bias.detach())
    ((out - x) ** 2).sum().backward()
    torch.testing.assert_close(ae(x), out)
    torch.testing.assert_close(ae.encoder.weight.grad, W_enc.grad + W_dec.grad)
    assert W_enc.grad.abs().sum() > 0 and W_dec.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="^hidden"):
        M.TiedAutoencoder(6, 0)
    with pytest.raises(TypeError, match="^x"):
        ae([1.0] * 6)
