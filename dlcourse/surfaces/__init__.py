r"""Two-dimensional test surfaces, their gradients, and a runner that drives real optimizers on them.

Each :class:`Surface` has a value :math:`f(x, y)`, an analytic gradient (tested against
autograd), a start point, a plotting window and its minima. :func:`trajectory` puts the two
coordinates in one ``nn.Parameter`` and runs any ``torch.optim.Optimizer`` — the classes of
:mod:`dlcourse.optim` or of ``torch.optim`` — on it, so the paths in the chapter are those of
the very optimizers that train the networks.

The package: ``functions`` (:class:`Surface`, the four surfaces and their registry, the Hessian,
the condition number and the contour grid), ``trajectories`` (:class:`Trajectory`, the runs and the
learning-rate sweep, the optimizers by name). Import everything from ``dlcourse.surfaces``.

Examples
--------
>>> from dlcourse.optim import SGD
>>> path = trajectory("quadratic", lambda p: SGD(p, lr=0.05), steps=200)
>>> path.points.shape, round(path.values[-1], 4)
(torch.Size([201, 2]), 0.0)
"""

from __future__ import annotations

from .functions import (
    QUADRATIC_CURVATURES,
    SURFACES,
    Surface,
    condition_number,
    get_surface,
    grid,
    hessian,
    plateau,
    plateau_grad,
    quadratic,
    quadratic_grad,
    rosenbrock,
    rosenbrock_grad,
    saddle,
    saddle_grad,
)
from .trajectories import SURFACE_OPTIMIZERS, Trajectory, lr_sweep, surface_optimizer, trajectory

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
