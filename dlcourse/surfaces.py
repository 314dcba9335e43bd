r"""Two-dimensional test surfaces, their gradients, and a runner that drives real optimizers on them.

Each :class:`Surface` has a value :math:`f(x, y)`, an analytic gradient (tested against
autograd), a start point, a plotting window and its minima. :func:`trajectory` puts the two
coordinates in one ``nn.Parameter`` and runs any ``torch.optim.Optimizer`` — the classes of
:mod:`dlcourse.optim` or of ``torch.optim`` — on it, so the paths in the chapter are those of
the very optimizers that train the networks.

Examples
--------
>>> from dlcourse.optim import SGD
>>> path = trajectory("quadratic", lambda p: SGD(p, lr=0.05), steps=200)
>>> path.points.shape, round(path.values[-1], 4)
(torch.Size([201, 2]), 0.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from ._checks import check_choice, check_nonnegative, check_positive_int, check_tensor
from .optim import make_optimizer

__all__ = [
    "Surface",
    "QUADRATIC_CURVATURES",
    "quadratic",
    "quadratic_grad",
    "rosenbrock",
    "rosenbrock_grad",
    "saddle",
    "saddle_grad",
    "plateau",
    "plateau_grad",
    "SURFACES",
    "get_surface",
    "hessian",
    "condition_number",
    "Trajectory",
    "trajectory",
    "lr_sweep",
    "grid",
    "SURFACE_OPTIMIZERS",
    "surface_optimizer",
]


@dataclass(frozen=True)
class Surface:
    """A 2-D test function: ``f(xy)`` and ``grad(xy)`` take a tensor whose last dimension is 2."""

    name: str
    f: Callable[[torch.Tensor], torch.Tensor]
    grad: Callable[[torch.Tensor], torch.Tensor]
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    formula: str


def _xy(p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    p = check_tensor(p, "xy", floating=True)
    if p.shape[-1] != 2:
        raise ValueError(f"xy must have a last dimension of size 2, got shape {tuple(p.shape)}")
    return p[..., 0], p[..., 1]


#: The two curvatures of the ill-conditioned quadratic (its Hessian is diag(1, 20), condition number 20).
QUADRATIC_CURVATURES = (1.0, 20.0)


def quadratic(p: torch.Tensor) -> torch.Tensor:
    r"""Ill-conditioned bowl :math:`f = \tfrac12(a x^2 + b y^2)` with :math:`a = 1,\ b = 20`:
    the Hessian is :math:`\operatorname{diag}(a, b)`, condition number :math:`b/a = 20`."""
    x, y = _xy(p)
    a, b = QUADRATIC_CURVATURES
    return 0.5 * (a * x**2 + b * y**2)


def quadratic_grad(p: torch.Tensor) -> torch.Tensor:
    r""":math:`\nabla f = (a x,\ b y)`."""
    x, y = _xy(p)
    a, b = QUADRATIC_CURVATURES
    return torch.stack([a * x, b * y], dim=-1)


def rosenbrock(p: torch.Tensor) -> torch.Tensor:
    r"""Rosenbrock's banana :math:`f = (1 - x)^2 + 100\,(y - x^2)^2`; minimum 0 at :math:`(1, 1)` at
    the bottom of a long, curved, flat valley."""
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(p: torch.Tensor) -> torch.Tensor:
    r""":math:`\nabla f = \left(-2(1-x) - 400x(y - x^2),\ 200(y - x^2)\right)`."""
    x, y = _xy(p)
    return torch.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], dim=-1)


def saddle(p: torch.Tensor) -> torch.Tensor:
    r"""A saddle with two exits: :math:`f = x^2 + \tfrac14 y^4 - \tfrac12 y^2`. The origin is a saddle
    point (Hessian :math:`\operatorname{diag}(2, -1)`); the minima are :math:`(0, \pm 1)` with value −1/4."""
    x, y = _xy(p)
    return x**2 + 0.25 * y**4 - 0.5 * y**2


def saddle_grad(p: torch.Tensor) -> torch.Tensor:
    r""":math:`\nabla f = (2x,\ y^3 - y)`."""
    x, y = _xy(p)
    return torch.stack([2 * x, y**3 - y], dim=-1)


def plateau(p: torch.Tensor) -> torch.Tensor:
    r"""A well in a plateau: :math:`f = 1 - e^{-(x^2 + 4y^2)/2}`. Far from the well the surface is
    almost flat (the gradient decays like :math:`e^{-r^2/2}`); minimum 0 at the origin."""
    x, y = _xy(p)
    return 1 - torch.exp(-(x**2 + 4 * y**2) / 2)


def plateau_grad(p: torch.Tensor) -> torch.Tensor:
    r""":math:`\nabla f = e^{-(x^2+4y^2)/2}\,(x,\ 4y)`."""
    x, y = _xy(p)
    e = torch.exp(-(x**2 + 4 * y**2) / 2)
    return torch.stack([e * x, 4 * e * y], dim=-1)


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in [
        Surface(
            "quadratic",
            quadratic,
            quadratic_grad,
            (-4.0, 1.5),
            (-4.5, 4.5),
            (-2.0, 2.0),
            ((0.0, 0.0),),
            r"\frac12(x^2 + 20y^2)",
        ),
        Surface(
            "rosenbrock",
            rosenbrock,
            rosenbrock_grad,
            (-1.5, 2.0),
            (-2.0, 2.0),
            (-1.0, 3.0),
            ((1.0, 1.0),),
            r"(1-x)^2 + 100(y-x^2)^2",
        ),
        Surface(
            "saddle",
            saddle,
            saddle_grad,
            (-1.5, 1e-3),
            (-2.0, 2.0),
            (-1.6, 1.6),
            ((0.0, 1.0), (0.0, -1.0)),
            r"x^2 + \frac14 y^4 - \frac12 y^2",
        ),
        Surface(
            "plateau",
            plateau,
            plateau_grad,
            (-2.8, 1.2),
            (-3.5, 3.5),
            (-2.0, 2.0),
            ((0.0, 0.0),),
            r"1 - e^{-(x^2+4y^2)/2}",
        ),
    ]
}


def get_surface(name: str) -> Surface:
    """The :class:`Surface` registered under ``name`` (``quadratic``, ``rosenbrock``, ``saddle``, ``plateau``)."""
    return SURFACES[check_choice(name, "name", SURFACES)]


def hessian(surface: str | Surface, point) -> torch.Tensor:
    r"""The 2×2 Hessian :math:`H_{ij} = \partial^2 f / \partial p_i \partial p_j` at ``point`` (autograd, float64)."""
    s = get_surface(surface) if isinstance(surface, str) else surface
    p = torch.as_tensor(point, dtype=torch.float64)
    return torch.autograd.functional.hessian(s.f, p)


def condition_number(h: torch.Tensor) -> float:
    r""":math:`\kappa(H) = |\lambda|_{\max} / |\lambda|_{\min}` for a symmetric matrix (inf if singular)."""
    eig = torch.linalg.eigvalsh(check_tensor(h, "h", floating=True)).abs()
    return math.inf if float(eig.min()) == 0 else float(eig.max() / eig.min())


@dataclass
class Trajectory:
    """Points visited (``(steps + 1, 2)``, starting point first) and the value at each."""

    points: torch.Tensor
    values: list[float]
    diverged: bool = False

    def distance_to(self, target) -> float:
        """Euclidean distance of the last point from ``target``."""
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


def grid(surface: str | Surface, resolution: int = 200) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(X, Y, Z)`` on the surface's plotting window, for contour plots."""
    s = get_surface(surface) if isinstance(surface, str) else surface
    resolution = check_positive_int(resolution, "resolution")
    xs = torch.linspace(*s.xlim, resolution, dtype=torch.float64)
    ys = torch.linspace(*s.ylim, resolution, dtype=torch.float64)
    X, Y = torch.meshgrid(xs, ys, indexing="xy")
    return X, Y, s.f(torch.stack([X, Y], dim=-1))


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
    from :mod:`dlcourse.optim`, with learning rate ``lr`` and averaging coefficient ``beta``."""
    kwargs = _surface_kwargs(name, lr, beta)
    return lambda params: make_optimizer(name, params, **kwargs)
