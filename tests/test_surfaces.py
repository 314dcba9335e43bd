"""dlcourse.surfaces: gradients against autograd, Hessians, trajectories driven by real optimizers; the explorer figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given

from dlcourse import optim as O
from dlcourse import plotting, widgets
from dlcourse import surfaces as S

from .strategies import surface_points


@pytest.mark.parametrize("name", list(S.SURFACES))
@given(p=surface_points())
def test_gradient_matches_autograd(name, p):
    s = S.get_surface(name)
    x = p.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(s.f(x), x)
    torch.testing.assert_close(s.grad(p), expected, atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("name", list(S.SURFACES))
def test_minima_have_zero_gradient_and_start_is_inside_window(name):
    s = S.get_surface(name)
    for m in s.minima:
        torch.testing.assert_close(s.grad(torch.tensor(m, dtype=torch.float64)), torch.zeros(2, dtype=torch.float64))
    assert s.xlim[0] < s.start[0] < s.xlim[1] and s.ylim[0] < s.start[1] < s.ylim[1]


def test_quadratic_hessian_and_condition_number():
    h = S.hessian("quadratic", (0.3, -0.2))
    torch.testing.assert_close(h, torch.diag(torch.tensor(S.QUADRATIC_CURVATURES, dtype=torch.float64)))
    assert S.condition_number(h) == pytest.approx(20.0)
    assert S.condition_number(S.hessian("saddle", (0.0, 0.0))) == pytest.approx(2.0)  # eigenvalues 2 and -1
    assert S.condition_number(torch.zeros(2, 2, dtype=torch.float64)) == float("inf")


def test_trajectory_equals_a_manual_torch_loop():
    path = S.trajectory("rosenbrock", lambda p: O.Adam(p, lr=0.05), steps=50)
    w = torch.nn.Parameter(torch.tensor(S.get_surface("rosenbrock").start, dtype=torch.float64))
    opt = torch.optim.Adam([w], lr=0.05)
    for _ in range(50):
        opt.zero_grad()
        S.rosenbrock(w).backward()
        opt.step()
    torch.testing.assert_close(path.points[-1], w.detach())
    assert path.points.shape == (51, 2) and len(path.values) == 51 and not path.diverged


def test_trajectory_flags_divergence():
    path = S.trajectory("quadratic", lambda p: O.SGD(p, lr=0.5), steps=100)  # lr > 2/20 diverges along y
    assert path.diverged and len(path.points) < 101


def test_momentum_beats_plain_sgd_on_the_ill_conditioned_bowl():
    sgd = S.trajectory("quadratic", S.surface_optimizer("sgd", 0.05), steps=100)
    mom = S.trajectory("quadratic", S.surface_optimizer("momentum", 0.05, 0.8), steps=100)
    assert mom.values[-1] < sgd.values[-1]
    assert mom.distance_to((0.0, 0.0)) < sgd.distance_to((0.0, 0.0))


def test_sgd_escapes_the_saddle_slowly():
    near = S.trajectory("saddle", S.surface_optimizer("sgd", 0.1), steps=300)
    assert near.values[-1] == pytest.approx(-0.25, abs=1e-3)  # it does escape, but slowly
    assert near.values[30] > -0.01  # still near the saddle's level after 30 steps


@pytest.mark.parametrize("name", S.SURFACE_OPTIMIZERS)
@pytest.mark.parametrize("surface", ["quadratic", "saddle"])
def test_lr_sweep_equals_one_trajectory_per_rate(name, surface):
    lrs = [1e-3, 0.05, 0.3, 3.0]  # 3.0 diverges for the SGD family on the quadratic
    runs = S.lr_sweep(surface, name, lrs, steps=40, beta=0.8)
    assert len(runs) == len(lrs)
    for lr, run in zip(lrs, runs):
        alone = S.trajectory(surface, S.surface_optimizer(name, lr, 0.8), steps=40)
        assert run.diverged == alone.diverged and run.points.shape == alone.points.shape
        torch.testing.assert_close(run.points, alone.points, atol=1e-12, rtol=1e-12)
        np.testing.assert_allclose(run.values, alone.values, atol=1e-12, rtol=1e-12)


def test_lr_sweep_stops_diverged_runs_and_keeps_the_others():
    runs = S.lr_sweep("quadratic", "sgd", [0.05, 0.5], steps=100, start=(1.0, 1.0))
    assert not runs[0].diverged and len(runs[0].values) == 101
    assert runs[1].diverged and len(runs[1].values) < 101  # lr > 2/20 diverges along y


def test_lr_sweep_bad_arguments():
    with pytest.raises(ValueError, match="^name"):
        S.lr_sweep("quadratic", "nope", [0.1])
    with pytest.raises(ValueError, match=r"^lrs\[1\]"):
        S.lr_sweep("quadratic", "sgd", [0.1, -1.0])
    with pytest.raises(ValueError, match="^lrs"):
        S.lr_sweep("quadratic", "sgd", [])
    with pytest.raises(ValueError, match="^steps"):
        S.lr_sweep("quadratic", "sgd", [0.1], steps=0)


@pytest.mark.parametrize("name,error", [("nope", ValueError)])
def test_bad_names(name, error):
    with pytest.raises(error, match="^name"):
        S.get_surface(name)
    with pytest.raises(error, match="^name"):
        S.surface_optimizer(name, 0.1)


def test_bad_point_shape():
    with pytest.raises(ValueError, match="^xy"):
        S.quadratic(torch.zeros(3))
    with pytest.raises(TypeError, match="^xy"):
        S.quadratic([0.0, 0.0])


def test_plot_trajectories_and_explorer_figure():
    paths = {n: S.trajectory("saddle", S.surface_optimizer(n, 0.05), steps=20) for n in ("sgd", "adam")}
    fig = plotting.plot_trajectories("saddle", paths)
    assert len(fig.axes[0].get_legend().get_texts()) == 2
    plt.close(fig)
    a = widgets.optimizer_trajectory_figure("quadratic", "momentum", lr=0.05, beta=0.5, steps=30)
    b = widgets.optimizer_trajectory_figure("quadratic", "momentum", lr=0.05, beta=0.9, steps=30)
    xa, xb = (np.asarray(f.axes[0].lines[0].get_xydata()) for f in (a, b))
    assert xa.shape == (31, 2) and not np.allclose(xa, xb)
    plt.close("all")


def test_optimizer_explorer_builds():
    pytest.importorskip("ipywidgets")
    w = widgets.optimizer_explorer()
    assert {c.description for c in w.children[:-1]} == {"surface", "optimizer", "lr", "β", "steps"}
    plt.close("all")
