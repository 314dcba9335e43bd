r"""The test surfaces themselves: :class:`Surface`, the four functions with their analytic gradients, the
registry :data:`SURFACES`, and what is computed from a surface without an optimizer (Hessian, condition number,
the contour grid)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from .._checks import check_choice, check_positive_int, check_tensor

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
    "grid",
]


@dataclass(frozen=True)
class Surface:
    """A 2-D test function: ``f(xy)`` and ``grad(xy)`` take a tensor whose last dimension is 2.

    Parameters
    ----------
    name : str
        The name it is registered under in :data:`SURFACES`.
    f : callable
        ``f(xy)``: the value, of shape ``xy.shape[:-1]``.
    grad : callable
        ``grad(xy)``: the analytic gradient, of shape ``xy.shape``.
    start : tuple of float
        Default start point ``(x, y)`` of :func:`trajectory`.
    xlim, ylim : tuple of float
        The plotting window ``(low, high)`` along ``x`` and ``y``.
    minima : tuple of tuple of float
        The minima ``(x, y)``.
    formula : str
        :math:`f` in LaTeX, for titles.
    """

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
    the Hessian is :math:`\operatorname{diag}(a, b)`, condition number :math:`b/a = 20`.

    Parameters
    ----------
    p : torch.Tensor
        Floating-point points ``(x, y)``, of shape ``(..., 2)``.

    Returns
    -------
    torch.Tensor
        :math:`f` at each point, of shape ``p.shape[:-1]``.
    """
    x, y = _xy(p)
    a, b = QUADRATIC_CURVATURES
    return 0.5 * (a * x**2 + b * y**2)


def quadratic_grad(p: torch.Tensor) -> torch.Tensor:
    r""":math:`\nabla f = (a x,\ b y)`.

    Parameters
    ----------
    p : torch.Tensor
        Floating-point points ``(x, y)``, of shape ``(..., 2)``.

    Returns
    -------
    torch.Tensor
        The gradient at each point, of shape ``p.shape``.
    """
    x, y = _xy(p)
    a, b = QUADRATIC_CURVATURES
    return torch.stack([a * x, b * y], dim=-1)


def rosenbrock(p: torch.Tensor) -> torch.Tensor:
    r"""Rosenbrock's banana :math:`f = (1 - x)^2 + 100\,(y - x^2)^2`; minimum 0 at :math:`(1, 1)` at
    the bottom of a long, curved, flat valley.

    Parameters
    ----------
    p : torch.Tensor
        Floating-point points ``(x, y)``, of shape ``(..., 2)``.

    Returns
    -------
    torch.Tensor
        :math:`f` at each point, of shape ``p.shape[:-1]``.
    """
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(p: torch.Tensor) -> torch.Tensor:
    r""":math:`\nabla f = \left(-2(1-x) - 400x(y - x^2),\ 200(y - x^2)\right)`.

    Parameters
    ----------
    p : torch.Tensor
        Floating-point points ``(x, y)``, of shape ``(..., 2)``.

    Returns
    -------
    torch.Tensor
        The gradient at each point, of shape ``p.shape``.
    """
    x, y = _xy(p)
    return torch.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], dim=-1)


def saddle(p: torch.Tensor) -> torch.Tensor:
    r"""A saddle with two exits: :math:`f = x^2 + \tfrac14 y^4 - \tfrac12 y^2`. The origin is a saddle
    point (Hessian :math:`\operatorname{diag}(2, -1)`); the minima are :math:`(0, \pm 1)` with value −1/4.

    Parameters
    ----------
    p : torch.Tensor
        Floating-point points ``(x, y)``, of shape ``(..., 2)``.

    Returns
    -------
    torch.Tensor
        :math:`f` at each point, of shape ``p.shape[:-1]``.
    """
    x, y = _xy(p)
    return x**2 + 0.25 * y**4 - 0.5 * y**2


def saddle_grad(p: torch.Tensor) -> torch.Tensor:
    r""":math:`\nabla f = (2x,\ y^3 - y)`.

    Parameters
    ----------
    p : torch.Tensor
        Floating-point points ``(x, y)``, of shape ``(..., 2)``.

    Returns
    -------
    torch.Tensor
        The gradient at each point, of shape ``p.shape``.
    """
    x, y = _xy(p)
    return torch.stack([2 * x, y**3 - y], dim=-1)


def plateau(p: torch.Tensor) -> torch.Tensor:
    r"""A well in a plateau: :math:`f = 1 - e^{-(x^2 + 4y^2)/2}`. Far from the well the surface is
    almost flat (the gradient decays like :math:`e^{-r^2/2}`); minimum 0 at the origin.

    Parameters
    ----------
    p : torch.Tensor
        Floating-point points ``(x, y)``, of shape ``(..., 2)``.

    Returns
    -------
    torch.Tensor
        :math:`f` at each point, of shape ``p.shape[:-1]``.
    """
    x, y = _xy(p)
    return 1 - torch.exp(-(x**2 + 4 * y**2) / 2)


def plateau_grad(p: torch.Tensor) -> torch.Tensor:
    r""":math:`\nabla f = e^{-(x^2+4y^2)/2}\,(x,\ 4y)`.

    Parameters
    ----------
    p : torch.Tensor
        Floating-point points ``(x, y)``, of shape ``(..., 2)``.

    Returns
    -------
    torch.Tensor
        The gradient at each point, of shape ``p.shape``.
    """
    x, y = _xy(p)
    e = torch.exp(-(x**2 + 4 * y**2) / 2)
    return torch.stack([e * x, 4 * e * y], dim=-1)


#: The test surfaces by name, each a :class:`Surface` (function, gradient, minimum, plotting box).
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
    """The :class:`Surface` registered under ``name`` (``quadratic``, ``rosenbrock``, ``saddle``, ``plateau``).

    Parameters
    ----------
    name : str
        One of the keys of :data:`SURFACES`.

    Returns
    -------
    Surface
        The registered surface.

    Raises
    ------
    ValueError
        If ``name`` is not registered.
    """
    return SURFACES[check_choice(name, "name", SURFACES)]


def hessian(surface: str | Surface, point) -> torch.Tensor:
    r"""The 2×2 Hessian :math:`H_{ij} = \partial^2 f / \partial p_i \partial p_j` at ``point`` (autograd, float64).

    Parameters
    ----------
    surface : str or Surface
        The surface, or the name of a registered one.
    point : sequence of float or torch.Tensor
        The point ``(x, y)``.

    Returns
    -------
    torch.Tensor
        The Hessian, of shape ``(2, 2)``, float64.
    """
    s = get_surface(surface) if isinstance(surface, str) else surface
    p = torch.as_tensor(point, dtype=torch.float64)
    return torch.autograd.functional.hessian(s.f, p)


def condition_number(h: torch.Tensor) -> float:
    r""":math:`\kappa(H) = |\lambda|_{\max} / |\lambda|_{\min}` for a symmetric matrix (inf if singular).

    Parameters
    ----------
    h : torch.Tensor
        A symmetric floating-point matrix, of shape ``(n, n)`` (only its lower triangle is read).

    Returns
    -------
    float
        The condition number, ``inf`` if an eigenvalue is exactly 0.
    """
    eig = torch.linalg.eigvalsh(check_tensor(h, "h", floating=True)).abs()
    return math.inf if float(eig.min()) == 0 else float(eig.max() / eig.min())


def grid(surface: str | Surface, resolution: int = 200) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(X, Y, Z)`` on the surface's plotting window, for contour plots.

    Parameters
    ----------
    surface : str or Surface
        The surface, or the name of a registered one.
    resolution : int, default 200
        Number of grid points along each axis, >= 1.

    Returns
    -------
    X, Y, Z : torch.Tensor
        float64 tensors of shape ``(resolution, resolution)``: ``X[i, j]`` is the ``j``-th ``x``,
        ``Y[i, j]`` the ``i``-th ``y`` (``indexing="xy"``), ``Z`` the surface's value there.
    """
    s = get_surface(surface) if isinstance(surface, str) else surface
    resolution = check_positive_int(resolution, "resolution")
    xs = torch.linspace(*s.xlim, resolution, dtype=torch.float64)
    ys = torch.linspace(*s.ylim, resolution, dtype=torch.float64)
    X, Y = torch.meshgrid(xs, ys, indexing="xy")
    return X, Y, s.f(torch.stack([X, Y], dim=-1))
