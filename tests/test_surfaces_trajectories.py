"""dlcourse.surfaces.trajectories: trajectories driven by real optimizers, learning-rate sweeps; the explorer figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from dlcourse import optim as O
from dlcourse import plotting, widgets
from dlcourse import surfaces as S


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
