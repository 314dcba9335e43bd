"""One experiment written once: seed → build → fit, run again with changes (:class:`Recipe`).

A chapter compares variants of one training run: another activation, learning rate, penalty,
seed or data set, everything else held fixed. Writing that run as a function in every chapter
repeats the same four steps, and each copy drifts (one forgets to seed, another passes ``lr``
to an optimizer that ignores it). A :class:`Recipe` holds the fixed part; :meth:`Recipe.run`
changes what a variant changes and returns the trained model with its history:

1. seed Python, NumPy and torch with ``seed`` (:func:`dlcourse.runtime.seed_everything`);
2. build a fresh model, ``build(**model_changes)``;
3. train it with :func:`dlcourse.training.fit` (shuffled by the same ``seed``);
4. return a :class:`Run` ``(model, history)``; :meth:`Run.score` evaluates the model on any split.

A change is routed by its name: the keywords of :func:`~dlcourse.training.fit` (``epochs``, ``lr``,
``optimizer``, ``batch_size``, ``loss_fn``, ``callbacks``, ...) go to the training loop, the keywords of
``build`` (``depth``, ``width``, ``activation``, ...) to the model; any other name is a ``TypeError``.

Examples
--------
>>> from functools import partial
>>> from dlcourse.data import make_moons
>>> from dlcourse.models import make_mlp
>>> moons = make_moons(200, seed=0)
>>> recipe = Recipe(partial(make_mlp, 2, 2, depth=1, width=16), moons, epochs=3, lr=0.05)
>>> relu, tanh = recipe.run(seed=0), recipe.run(seed=0, activation="tanh")
>>> len(relu.history), len(tanh.history)
(3, 3)
>>> 0.0 <= tanh.score(moons.test) <= 1.0
True
"""

from __future__ import annotations

import inspect
from typing import Callable, NamedTuple

from torch import nn

from .runtime import seed_everything
from .training import History, evaluate, fit, make_fit_optimizer

__all__ = ["FIT_SETTINGS", "Recipe", "Run"]

#: fit's keywords that a recipe sets itself (the model and the data) or always passes (the seed)
_NOT_FIT_SETTINGS = {"model", "train", "val", "seed"}
#: the settings a recipe passes to fit; every other setting goes to build
FIT_SETTINGS = frozenset(inspect.signature(fit).parameters) - _NOT_FIT_SETTINGS
_FIT_DEFAULT_OPTIMIZER = inspect.signature(fit).parameters["optimizer"].default


class Run(NamedTuple):
    """A trained model (moved to the CPU) and its training :class:`~dlcourse.training.History`.

    Unpacks as ``model, history = recipe.run(...)``.

    Parameters
    ----------
    model : nn.Module
        The trained model, on the CPU, so that a chapter's CPU tensors can go straight in.
    history : History
        Per-epoch losses and metrics of the run.
    """

    model: nn.Module
    history: History

    def score(self, data, metric="accuracy") -> float:
        """The model's ``metric`` on ``data = (X, y)`` in evaluation mode (:func:`dlcourse.training.evaluate`).

        Parameters
        ----------
        data : tuple of torch.Tensor
            The split to score, ``(X, y)``, e.g. ``splits.val``.
        metric : str or callable, default "accuracy"
            A name of :data:`dlcourse.metrics.METRICS` or a callable ``(output, target) -> float``.

        Returns
        -------
        float
            The metric on ``data``.
        """
        return evaluate(self.model, data, metric=metric)[1]


class Recipe:
    """The fixed part of a chapter's experiments: how to build the model, the data, and how to train it.

    Parameters
    ----------
    build : callable
        ``build(**model_changes) -> nn.Module``, called right after seeding, e.g.
        ``functools.partial(dlcourse.models.make_mlp, 64, 10, depth=2, width=64)``.
    data : DataSplits or tuple of torch.Tensor
        Where to train: an object with ``.train`` and ``.val`` pairs (a :class:`dlcourse.data.DataSplits`;
        the history then records validation numbers), or one training pair ``(X, y)``.
    attach : callable, optional
        ``attach(model) -> dict`` of :func:`~dlcourse.training.fit` settings that need the freshly built
        model: a loss with a weight penalty (:func:`dlcourse.regularization.regularized_loss`), a callback
        that keeps a copy of it (:class:`dlcourse.regularization.WeightAverage`).
    **settings
        Defaults of :func:`~dlcourse.training.fit` (``epochs``, ``lr``, ``optimizer``, ``batch_size``, ...)
        and of ``build``. ``progress`` defaults to ``False``: a chapter runs many short experiments.
        As in ``fit``, ``optimizer`` may be a factory ``params -> optimizer``; ``scheduler`` may also be a
        factory ``optimizer -> scheduler``, built anew for every run around that run's optimizer.

    Raises
    ------
    TypeError
        If ``build`` or ``attach`` is not callable, or a setting is neither fit's nor ``build``'s keyword.

    Notes
    -----
    The recipe's ``lr`` belongs to a *named* optimizer (``optimizer="adam"``). A run that brings its own
    optimizer factory sets its own learning rate, so the recipe's ``lr`` is not passed with it; giving both
    ``lr`` and such an optimizer to one :meth:`run` is the ``ValueError`` of :func:`~dlcourse.training.fit`.
    """

    def __init__(self, build: Callable[..., nn.Module], data, *, attach: Callable | None = None, **settings):
        if not callable(build):
            raise TypeError(f"build must be a callable returning a model, got {type(build).__name__}")
        if attach is not None and not callable(attach):
            raise TypeError(f"attach must be a callable model -> dict of fit settings, got {type(attach).__name__}")
        self.build, self.data, self.attach = build, data, attach
        self.settings = {"progress": False, **settings}
        self._split(self.settings)  # refuse an unknown setting now, not at the first run

    def replace(self, **changes) -> Recipe:
        """A new recipe with some of ``build``, ``data``, ``attach`` or the settings changed.

        Parameters
        ----------
        **changes
            New values; settings not named keep this recipe's values.

        Returns
        -------
        Recipe
            The changed copy; this recipe is unchanged.
        """
        fixed = {key: changes.pop(key, getattr(self, key)) for key in ("build", "data", "attach")}
        return Recipe(**fixed, **{**self.settings, **changes})

    def run(self, seed: int = 0, **changes) -> Run:
        """Seed, build a fresh model, train it; return the :class:`Run`.

        Parameters
        ----------
        seed : int, default 0
            Seeds every generator before the model is built, and the shuffling of the mini-batches.
        **changes
            What this run changes: ``build``, ``data``, ``attach``, a setting of :func:`~dlcourse.training.fit`
            or a keyword of ``build``.

        Returns
        -------
        Run
            ``(model, history)``, the model moved to the CPU.

        Raises
        ------
        TypeError
            If a change is neither fit's nor ``build``'s keyword.
        ValueError
            If the run gives ``lr`` together with an optimizer object or factory.
        """
        if any(key in changes for key in ("build", "data", "attach")):
            return self.replace(**{k: changes.pop(k) for k in ("build", "data", "attach") if k in changes}).run(
                seed, **changes
            )
        settings = dict(self.settings)
        if not isinstance(changes.get("optimizer", "named"), str) and "lr" not in changes:
            settings.pop("lr", None)  # the recipe's lr is its named optimizer's; this run's optimizer has its own
        fit_settings, model_settings = self._split({**settings, **changes})
        seed_everything(seed)
        model = self.build(**model_settings)
        if not isinstance(model, nn.Module):
            raise TypeError(f"build must return an nn.Module, got {type(model).__name__}")
        if self.attach is not None:
            fit_settings.update(self.attach(model))
        fit_settings = self._instantiate(fit_settings, model)
        train = self.data.train if hasattr(self.data, "train") else self.data
        val = getattr(self.data, "val", None)
        history = fit(model, train, val, seed=seed, **fit_settings)
        return Run(model.cpu(), history)

    def _split(self, settings: dict) -> tuple[dict, dict]:
        """``settings`` split into fit's keywords and build's; a name that is neither is a TypeError."""
        fit_settings = {k: v for k, v in settings.items() if k in FIT_SETTINGS}
        model_settings = {k: v for k, v in settings.items() if k not in FIT_SETTINGS}
        try:
            signature = inspect.signature(self.build)
        except (TypeError, ValueError):  # a builtin or C callable: let the call itself complain
            return fit_settings, model_settings
        takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
        unknown = sorted(k for k in model_settings if k not in signature.parameters and not takes_any)
        if unknown:
            raise TypeError(
                f"{', '.join(unknown)}: neither a setting of fit ({', '.join(sorted(FIT_SETTINGS))}) "
                f"nor a keyword of build"
            )
        return fit_settings, model_settings

    @staticmethod
    def _instantiate(fit_settings: dict, model: nn.Module) -> dict:
        """Optimizer and scheduler factories built for this run's model (a scheduler needs the optimizer)."""
        scheduler = fit_settings.get("scheduler")
        if callable(scheduler) and not hasattr(scheduler, "step"):  # a factory: it needs the optimizer object
            optimizer = fit_settings.get("optimizer", _FIT_DEFAULT_OPTIMIZER)
            fit_settings["optimizer"] = optimizer = make_fit_optimizer(optimizer, model, fit_settings.pop("lr", None))
            fit_settings["scheduler"] = scheduler(optimizer)
        return fit_settings

    def __repr__(self) -> str:
        build = getattr(self.build, "__name__", None) or repr(self.build)
        settings = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"Recipe({build}, {settings})"
