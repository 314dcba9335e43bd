"""dlcourse.normalization.conditioning against closed forms and gradient descent run step by step; the
chapter's figure and explorer on it."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import dlcourse
from dlcourse.normalization import conditioning as C


def test_condition_number_of_scaled_features():
    X = dlcourse.randn(2000, 2, seed=0, dtype=torch.float64)
    X = (X - X.mean(0)) / X.std(0, unbiased=False)
    assert C.condition_number(X, intercept=False) == pytest.approx(1.0, abs=0.1)
    assert C.condition_number(X * torch.tensor([1.0, 10.0], dtype=torch.float64), intercept=False) == pytest.approx(
        100.0, rel=0.1
    )


def test_quadratic_form_optimum_has_zero_gradient():
    X = dlcourse.randn(50, 3, seed=0)
    y = X @ torch.tensor([1.0, -2.0, 0.5]) + 0.3 + 0.1 * dlcourse.randn(50, seed=1)
    H, b, w_star, loss_star = C.quadratic_form(X, y)
    torch.testing.assert_close(H @ w_star, b)
    assert w_star[-1] == pytest.approx(0.3, abs=0.05) and loss_star > 0


@given(ratio=st.floats(1.0, 30.0), lr_factor=st.floats(0.2, 1.9))
def test_steps_to_converge_agrees_with_running_gradient_descent(ratio, lr_factor):
    H = torch.diag(torch.tensor([1.0, ratio], dtype=torch.float64))
    b = torch.tensor([0.5, -1.0], dtype=torch.float64)
    w0 = torch.tensor([3.0, 2.0], dtype=torch.float64)
    lr = lr_factor / ratio
    steps = C.steps_to_converge(H, b, w0, lr=lr, tol=1e-3)
    path = C.gradient_descent(H, b, w0, lr=lr, steps=steps + 1)
    w_star = torch.linalg.solve(H, b)
    excess = [float((w - w_star) @ H @ (w - w_star)) / 2 for w in path]
    assert excess[steps] <= 1e-3 * excess[0] * (1 + 1e-9)
    assert steps == 0 or excess[steps - 1] > 1e-3 * excess[0]


def test_steps_to_converge_reports_divergence_and_caps():
    H = torch.diag(torch.tensor([1.0, 100.0], dtype=torch.float64))
    b, w0 = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    assert C.steps_to_converge(H, b, w0, lr=0.021) is None  # beyond 2 / lambda_max
    assert C.steps_to_converge(H, b, w0, lr=0.01, max_steps=10) is None
    # excess(t) = (0.99^(2t) * 1 + 0 * 100) / 2 must reach 1e-3 * (1 + 100) / 2
    assert C.steps_to_converge(H, b, w0, lr=0.01) == math.ceil(math.log(0.101) / (2 * math.log(0.99)))


def test_feature_scale_figure_draws_the_gradient_descent_path():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dlcourse import widgets

    fig = widgets.feature_scale_figure(scale_ratio=10.0, lr_factor=1.8, steps=30)
    raw, standardised = fig.axes[:2]
    H, b, w0 = widgets.feature_scale_problem(10.0)
    expected = C.gradient_descent(H, b, w0, lr=1.8 / 100, steps=30).numpy()
    path_line = raw.get_lines()[0]
    assert path_line.get_xdata() == pytest.approx(expected[:, 0])
    assert path_line.get_ydata() == pytest.approx(expected[:, 1])
    assert "κ = 100" in raw.get_title() and "κ = 1," in standardised.get_title()
    assert "diverges" in widgets.feature_scale_figure(3.0, 2.05).axes[0].get_title()
    with pytest.raises(ValueError, match="^scale_ratio"):
        widgets.feature_scale_problem(0.0)
    plt.close("all")


def test_feature_scale_explorer_calls_the_figure_function():
    import matplotlib.pyplot as plt

    from dlcourse import widgets

    w = widgets.feature_scale_explorer()
    assert [c.description for c in w.children[:2]] == ["scale ratio", "η × λmax"]
    w.children[0].value = 3.0
    w.update()
    plt.close("all")


def test_plot_quadratic_path_checks_shapes():
    from dlcourse import plotting

    with pytest.raises(ValueError, match="^H must be 2x2"):
        plotting.plot_quadratic_path(torch.eye(3), torch.zeros(3), torch.zeros(4, 3))
