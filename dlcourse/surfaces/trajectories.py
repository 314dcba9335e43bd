r"""Optimizers driven on the surfaces: :class:`Trajectory`, :func:`trajectory` (one run of any
``torch.optim.Optimizer``), :func:`lr_sweep` (many learning rates at once) and :func:`surface_optimizer`
(the optimizers of :mod:`dlcourse.optim` by name)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from .._checks import check_choice, check_nonnegative, check_positive_int
from ..optim import make_optimizer
from .functions import Surface, get_surface

__all__ = ["Trajectory", "trajectory", "lr_sweep", "SURFACE_OPTIMIZERS", "surface_optimizer"]


@dataclass
class Trajectory:
    """Points visited (``(steps + 1, 2)``, starting point first) and the value at each.

    Parameters
    ----------
    points : torch.Tensor
        The points visited, of shape ``(k, 2)``: ``k = steps + 1``, or fewer if the run diverged.
    values : list of float
        The surface's value at each point.
    diverged : bool, default False
        Whether the run was stopped because it diverged (the diverging point is not recorded).
    """

    points: torch.Tensor
    values: list[float]
    diverged: bool = False

    def distance_to(self, target) -> float:
        """Euclidean distance of the last point from ``target``.

        Parameters
        ----------
        target : sequence of float or torch.Tensor
            The point ``(x, y)``, e.g. a minimum.

        Returns
        -------
        float
            The distance.
        """
        return float(torch.linalg.vector_norm(self.points[-1] - torch.as_tensor(target, dtype=self.points.dtype)))


def trajectory(
    surface: str | Surface,
    make_optimizer: Callable[[list[nn.Parameter]], torch.optim.Optimizer],
    steps: int = 100,
    start=None,
    limit: float = 1e6,
) -> Trajectory:
    r"""Run ``make_optimizer([p])`` for ``steps`` steps on ``surface`` from ``start`` (default: the surface's).

    The gradient is the surface's analytic one, written into ``p.grad`` — exactly what
    ``loss.backward()`` would produce. A run whose point leaves :math:`|p| <` ``limit`` or becomes
    non-finite stops there (``diverged=True``).

    Parameters
    ----------
    surface : str or Surface
        The surface, or the name of a registered one.
    make_optimizer : callable
        ``make_optimizer([p])`` returns the optimizer of the single parameter ``p`` (e.g. from
        :func:`surface_optimizer`).
    steps : int, default 100
        Number of optimizer steps, >= 1.
    start : sequence of float, optional
        Start point ``(x, y)``; default ``surface.start``.
    limit : float, default 1e6
        The run stops (diverged) once a coordinate exceeds ``limit`` in absolute value.

    Returns
    -------
    Trajectory
        The points (float64) and values, start point first.
    """
    s = get_surface(surface) if isinstance(surface, str) else surface
    steps = check_positive_int(steps, "steps")
    p = nn.Parameter(torch.tensor(start if start is not None else s.start, dtype=torch.float64))
    optimizer = make_optimizer([p])
    points, values, diverged = [p.detach().clone()], [float(s.f(p.detach()))], False
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=True)
        p.grad = s.grad(p.detach())
        optimizer.step()
        point = p.detach().clone()
        if not torch.isfinite(point).all() or float(point.abs().max()) > limit:
            diverged = True
            break
        points.append(point)
        values.append(float(s.f(point)))
    return Trajectory(torch.stack(points), values, diverged)


def lr_sweep(
    surface: str | Surface, name: str, lrs, steps: int = 100, beta: float = 0.9, start=None, limit: float = 1e6
) -> list[Trajectory]:
    r"""One :class:`Trajectory` per learning rate in ``lrs`` for the optimizer ``name`` (see
    :func:`surface_optimizer`), all run at once.

    The result is that of ``[trajectory(surface, surface_optimizer(name, lr, beta), steps, start, limit)
    for lr in lrs]`` (to rounding: the gradients of all the points are computed in one call), but one
    optimizer, with one parameter group per rate, steps them together: several times faster, which
    is what a learning-rate sweep needs. A run that diverges stops there; the others go on.

    Parameters
    ----------
    surface : str or Surface
        The surface, or the name of a registered one.
    name : str
        The optimizer, one of :data:`SURFACE_OPTIMIZERS`.
    lrs : iterable of float
        The learning rates, each >= 0; at least one.
    steps : int, default 100
        Number of optimizer steps, >= 1.
    beta : float, default 0.9
        The optimizer's averaging coefficient (see :func:`surface_optimizer`).
    start : sequence of float, optional
        Start point ``(x, y)``; default ``surface.start``.
    limit : float, default 1e6
        A run stops (diverged) once a coordinate exceeds ``limit`` in absolute value.

    Returns
    -------
    list of Trajectory
        One per learning rate, in the order of ``lrs``.

    Raises
    ------
    ValueError
        If ``name`` is unknown, ``lrs`` is empty, or a rate is negative.

    Examples
    --------
    >>> runs = lr_sweep("quadratic", "sgd", [0.01, 0.05, 0.2], steps=100)
    >>> [run.diverged for run in runs], [len(run.values) for run in runs]
    ([False, False, True], [101, 101, 13])
    """
    s = get_surface(surface) if isinstance(surface, str) else surface
    check_choice(name, "name", SURFACE_OPTIMIZERS)
    steps = check_positive_int(steps, "steps")
    lrs = [check_nonnegative(lr, f"lrs[{i}]") for i, lr in enumerate(lrs)]
    if not lrs:
        raise ValueError("lrs must hold at least one learning rate")
    start = torch.tensor(start if start is not None else s.start, dtype=torch.float64)
    params = [nn.Parameter(start.clone()) for _ in lrs]
    optimizer = make_optimizer(
        name, [{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], **_surface_kwargs(name, lrs[0], beta)
    )
    value0 = float(s.f(start))
    points = [[start.clone()] for _ in lrs]
    values = [[value0] for _ in lrs]
    diverged = [False] * len(lrs)
    active = list(range(len(lrs)))
    with torch.no_grad():
        for _ in range(steps):
            for i, g in zip(active, s.grad(torch.stack([params[i] for i in active])).unbind(0)):
                params[i].grad = g
            optimizer.step()
            now = torch.stack([params[i] for i in active])  # a copy: the rows below stay as they are
            ok = (torch.isfinite(now).all(dim=-1) & (now.abs().amax(dim=-1) <= limit)).tolist()
            now_values = s.f(now).tolist()
            still = []
            for k, (i, point) in enumerate(zip(active, now.unbind(0))):
                if ok[k]:
                    points[i].append(point)
                    values[i].append(now_values[k])
                    still.append(i)
                else:
                    diverged[i] = True
                    params[i].grad = None  # skipped by the optimizer from now on
            active = still
            if not active:
                break
    return [Trajectory(torch.stack(p), v, d) for p, v, d in zip(points, values, diverged)]


#: Names accepted by :func:`surface_optimizer` (all built by :func:`dlcourse.optim.make_optimizer`).
SURFACE_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam", "adamax")


def _surface_kwargs(name: str, lr: float, beta: float) -> dict:
    """Constructor arguments for optimizer ``name`` of :data:`SURFACE_OPTIMIZERS`: ``lr`` and ``beta``,
    the optimizer's main averaging coefficient: momentum (SGD), α (RMSProp), β₁ (Adam family);
    plain SGD and AdaGrad have none."""
    averaging = {
        "momentum": {"momentum": beta},
        "nesterov": {"momentum": beta, "nesterov": beta > 0},
        "rmsprop": {"alpha": beta},
        "adam": {"betas": (beta, 0.999)},
        "nadam": {"betas": (beta, 0.999)},
        "adamax": {"betas": (beta, 0.999)},
    }
    return {"lr": lr, **averaging.get(check_choice(name, "name", SURFACE_OPTIMIZERS), {})}


def surface_optimizer(name: str, lr: float, beta: float = 0.9) -> Callable[[list], torch.optim.Optimizer]:
    """A ``params -> optimizer`` builder for :func:`trajectory`: one of :data:`SURFACE_OPTIMIZERS`
    from :mod:`dlcourse.optim`, with learning rate ``lr`` and averaging coefficient ``beta``.

    Parameters
    ----------
    name : str
        One of :data:`SURFACE_OPTIMIZERS`: ``"momentum"`` and ``"nesterov"`` are SGD with momentum.
    lr : float
        Learning rate.
    beta : float, default 0.9
        Momentum (``"momentum"``, ``"nesterov"``), ``alpha`` (``"rmsprop"``) or ``betas[0]`` (the Adam
        family, with ``betas[1] = 0.999``); ignored by ``"sgd"`` and ``"adagrad"``.

    Returns
    -------
    callable
        ``params -> optimizer``.

    Raises
    ------
    ValueError
        If ``name`` is unknown.
    """
    kwargs = _surface_kwargs(name, lr, beta)
    return lambda params: make_optimizer(name, params, **kwargs)
