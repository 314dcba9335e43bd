r"""Optimizers written for reading: SGD (momentum, Nesterov), AdaGrad, RMSProp, Adam, AdamW, Nadam, Adamax.

Every class is a :class:`torch.optim.Optimizer`, so it plugs into :func:`dlcourse.training.fit`,
into ``torch.optim.lr_scheduler`` and into :mod:`dlcourse.schedules`. Each follows the pattern of
``torch/optim/adam.py``:

* the algorithm is written out in the class docstring;
* the hyperparameters are validated in ``__init__`` (a negative learning rate, a β outside
  :math:`[0, 1)` or a negative ε raise a ``ValueError`` that names the argument);
* the per-parameter state (moment estimates, step count) is created lazily, on the first step
  that sees a gradient for that parameter;
* the arithmetic lives in a small *functional update* (:func:`sgd_update`, :func:`adam_update`,
  ...) that changes one parameter and its state in place. The class only loops over parameter
  groups and parameters, skipping those whose ``grad`` is ``None``;
* each functional update has a multi-tensor twin (:func:`sgd_update_foreach`,
  :func:`adam_update_foreach`, ...): the same update applied to lists of tensors, one
  ``torch._foreach_*`` call per line instead of one small call per parameter. As in torch.optim,
  ``foreach=True`` selects it, ``foreach=False`` the loop, and ``foreach=None`` (the default)
  whatever torch.optim would pick for the same parameters: the loop on the CPU, the lists on a GPU.

The tests run each optimizer for 100 steps on a real batch and compare every parameter with
its ``torch.optim`` counterpart (to 1e-6, in float64), for every option combination.

**Where it differs from torch.optim** (on purpose; each raises a clear error rather than
computing something else): complex parameters (``NotImplementedError``; torch views them as
pairs of reals); the implementation switches ``fused=True``, ``capturable=True``,
``differentiable=True`` (``NotImplementedError``: a readable loop and its foreach twin only;
the defaults are accepted, so signatures equal torch's); a tensor learning rate (``TypeError``:
a Python number only); sparse gradients (``RuntimeError``). Saving and resuming, ``deepcopy`` and
loading state dicts across the two libraries work (see :class:`LoopOptimizer`).

Notation: :math:`\theta` parameters, :math:`g_t` gradient at step :math:`t` (1-based), :math:`\eta`
learning rate, :math:`\lambda` weight decay, :math:`\epsilon` the small constant in denominators.

The package: ``base`` (:class:`LoopOptimizer` and the shared checks), ``rules`` (the update
rules), ``foreach`` (their multi-tensor twins), ``classic`` (the classes SGD, Adagrad, RMSprop),
``adam_family`` (the classes Adam, AdamW, NAdam, Adamax), ``momentum`` (the two momentum
formulations); here, the registry :data:`OPTIMIZERS` and the factory :func:`make_optimizer`.
Import everything from ``dlcourse.optim``: this page documents it all.

Examples
--------
>>> import torch
>>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
>>> opt = Adam([w], lr=0.1)
>>> w.grad = torch.tensor([0.5, 0.5])
>>> opt.step()
>>> w.detach()
tensor([ 0.9000, -2.1000])
"""

from __future__ import annotations

import torch

from .._checks import check_choice
from .adam_family import Adam, Adamax, AdamW, NAdam
from .base import LoopOptimizer
from .classic import SGD, Adagrad, RMSprop
from .foreach import (
    adagrad_update_foreach,
    adam_update_foreach,
    adamax_update_foreach,
    nadam_update_foreach,
    rmsprop_update_foreach,
    sgd_update_foreach,
)
from .momentum import momentum_formulations, momentum_step_seed, momentum_step_torch
from .rules import adagrad_update, adam_update, adamax_update, nadam_update, rmsprop_update, sgd_update

__all__ = [
    "LoopOptimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "NAdam",
    "Adamax",
    "OPTIMIZERS",
    "sgd_update",
    "adagrad_update",
    "rmsprop_update",
    "adam_update",
    "nadam_update",
    "adamax_update",
    "sgd_update_foreach",
    "adagrad_update_foreach",
    "rmsprop_update_foreach",
    "adam_update_foreach",
    "nadam_update_foreach",
    "adamax_update_foreach",
    "momentum_step_seed",
    "momentum_step_torch",
    "momentum_formulations",
    "PRESETS",
    "OPTIMIZER_NAMES",
    "DEFAULT_LR",
    "make_optimizer",
]


#: Every optimizer of the package by short name, with its ``torch.optim`` counterpart.
#: :meta hide-value:
OPTIMIZERS: dict[str, tuple[type, type]] = {
    "sgd": (SGD, torch.optim.SGD),
    "adagrad": (Adagrad, torch.optim.Adagrad),
    "rmsprop": (RMSprop, torch.optim.RMSprop),
    "adam": (Adam, torch.optim.Adam),
    "adamw": (AdamW, torch.optim.AdamW),
    "nadam": (NAdam, torch.optim.NAdam),
    "adamax": (Adamax, torch.optim.Adamax),
}


#: Named settings of the optimizers above, accepted by :func:`make_optimizer` beside the keys of
#: :data:`OPTIMIZERS`: name -> (key of :data:`OPTIMIZERS`, preset keyword arguments). Keyword
#: arguments given to :func:`make_optimizer` override the preset ones.
#: :meta hide-value:
PRESETS: dict[str, tuple[str, dict]] = {
    "momentum": ("sgd", {"momentum": 0.9}),
    "sgd_momentum": ("sgd", {"momentum": 0.9}),
    "nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
}


#: Every name :func:`make_optimizer` accepts: the keys of :data:`OPTIMIZERS`, then of :data:`PRESETS`.
OPTIMIZER_NAMES: tuple[str, ...] = (*OPTIMIZERS, *PRESETS)


#: The learning rate :func:`dlcourse.training.fit` gives a named optimizer when it is given none.
DEFAULT_LR = 1e-3


def make_optimizer(name: str, params, *, reference: bool = False, **kwargs) -> torch.optim.Optimizer:
    """Build optimizer ``name`` on ``params``: the one optimizer factory of the library.

    Parameters
    ----------
    name : str
        A key of :data:`OPTIMIZERS` or of :data:`PRESETS` (see :data:`OPTIMIZER_NAMES`).
    params : iterable
        Parameters or parameter groups, as for any ``torch.optim.Optimizer``.
    reference : bool
        Build the ``torch.optim`` counterpart instead of ours.
    **kwargs
        Constructor arguments (``lr``, ``weight_decay``, ...); they override a preset's.

    Returns
    -------
    torch.optim.Optimizer

    Examples
    --------
    >>> w = torch.nn.Parameter(torch.zeros(2))
    >>> opt = make_optimizer("sgd_momentum", [w], lr=0.1)
    >>> type(opt).__name__, opt.defaults["momentum"]
    ('SGD', 0.9)
    """
    base, preset = PRESETS.get(check_choice(name, "name", OPTIMIZER_NAMES), (name, {}))
    ours, theirs = OPTIMIZERS[base]
    return (theirs if reference else ours)(params, **{**preset, **kwargs})
