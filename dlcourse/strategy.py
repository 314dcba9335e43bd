"""The deep-learning strategy loop, made runnable.

The loop (the course map of chapter 0):

1. choose a performance metric **P** (to select models, on validation data);
2. choose a cost function **C** (to train them);
3. choose a parameter-initialization strategy **W**;
4. choose an optimization algorithm **A**;
5. choose a hyperparameter-tuning strategy **T**;
6. let T pick hyperparameters **H**;
7. initialise a model **M** with W;
8. train M with A on C, configured by H, and score it by P on the validation split;
9. repeat 6–8 while T has values left to try;
10. return the model that is best by P.

:class:`Strategy` holds the five choices, :func:`run_strategy` runs steps 6–10 with a search of
:mod:`dlcourse.tuning`, and :data:`COMMON_CONFIGURATIONS` lists sensible P, C, W, A, T for five
kinds of task. The choices are names in the library's registries: P a metric of
:data:`dlcourse.metrics.METRICS` (small callables ``(output, target) -> float``, with whether greater
is better), C a loss of :data:`dlcourse.losses.LOSSES`, A an optimizer of
:data:`dlcourse.optim.OPTIMIZER_NAMES`; T a search of :data:`dlcourse.tuning.SEARCHES`.

Examples
--------
>>> from dlcourse.data import load_breast_cancer
>>> cfg = COMMON_CONFIGURATIONS["imbalanced classification"]
>>> cfg.P, cfg.C, cfg.W, cfg.A, cfg.T
('f1 (minority class)', 'weighted cross-entropy', 'xavier', 'adamw', 'tpe')
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Callable

from torch import nn

from . import tuning
from ._checks import check_choice
from .init import init_model
from .losses import LOSSES
from .metrics import METRICS
from .models import make_mlp
from .optim import OPTIMIZER_NAMES, make_optimizer
from .runtime import seed_everything
from .training import evaluate, fit

__all__ = [
    "initialize",
    "mlp_builder",
    "cnn_builder",
    "Strategy",
    "StrategyResult",
    "make_objective",
    "run_strategy",
    "COMMON_CONFIGURATIONS",
]


# --------------------------------------------------------------------------- W: initialization
def initialize(model: nn.Module, scheme: str = "he") -> nn.Module:
    r"""Re-initialise every ``nn.Linear`` and ``nn.Conv2d`` weight of ``model`` in place, biases to 0.

    ``"xavier"``: :math:`\mathcal U(-a, a)`, :math:`a = \sqrt{6/(\text{fan}_\text{in} + \text{fan}_\text{out})}`;
    ``"he"``: :math:`\mathcal N(0, 2/\text{fan}_\text{in})`; ``"default"``: leave PyTorch's initialization.
    Delegates to :func:`dlcourse.init.init_model` (chapter 2), which also covers ``nn.Conv1d`` and
    ``nn.Conv3d`` layers and draws from torch's global generator.

    Parameters
    ----------
    model : torch.nn.Module
        The model to re-initialise.
    scheme : {"he", "xavier", "default"}, default "he"
        The initialization; ``"default"`` leaves the model (biases included) untouched.

    Returns
    -------
    torch.nn.Module
        ``model`` itself.
    """
    check_choice(scheme, "scheme", ("xavier", "he", "default"))
    if scheme == "default":
        return model
    return init_model(model, {"xavier": "xavier_uniform", "he": "he_normal"}[scheme])


# --------------------------------------------------------------------------- models (M)
def mlp_builder(params: dict, data) -> nn.Module:
    """An MLP (:func:`dlcourse.models.make_mlp`) sized by the data; ``params`` may set ``depth``,
    ``width``, ``activation``, ``dropout`` and ``batch_norm``.

    Parameters
    ----------
    params : dict
        Hyperparameters; missing keys take the defaults ``depth=2``, ``width=64``, ``activation="relu"``,
        ``dropout=0.0``, ``batch_norm=False`` (``True``: ``nn.BatchNorm1d`` layers). Other keys are ignored.
    data : dlcourse.data.DataSplits
        The data: its ``n_features`` inputs, and ``n_classes`` outputs (for regression targets, the width of
        ``y_train``).

    Returns
    -------
    torch.nn.Module
        The untrained MLP.
    """
    n_out = data.n_classes or data.y_train.shape[-1]
    norm = nn.BatchNorm1d if params.get("batch_norm", False) else None
    return make_mlp(
        data.n_features,
        n_out,
        depth=int(params.get("depth", 2)),
        width=int(params.get("width", 64)),
        activation=params.get("activation", "relu"),
        dropout=float(params.get("dropout", 0.0)),
        norm_layer=norm,
    )


def cnn_builder(params: dict, data) -> nn.Module:
    """A tiny CNN for ``(n, C, H, W)`` images: two 3×3 conv + ReLU blocks (``channels`` filters),
    a 2×2 max-pool after each, then a linear classifier.

    Parameters
    ----------
    params : dict
        Hyperparameters: ``channels`` (default 8) filters in the first block, ``2 * channels`` in the second.
        Other keys are ignored.
    data : dlcourse.data.DataSplits
        The data: ``X_train`` of shape ``(n, C, H, W)`` sets the input channels and size, ``n_classes`` the
        outputs.

    Returns
    -------
    torch.nn.Module
        The untrained CNN, an ``nn.Sequential``.
    """
    c_in, h, w = data.X_train.shape[1:]
    ch = int(params.get("channels", 8))
    return nn.Sequential(
        nn.Conv2d(c_in, ch, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(ch, 2 * ch, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(2 * ch * (h // 4) * (w // 4), data.n_classes),
    )


# --------------------------------------------------------------------------- the strategy
@dataclass
class Strategy:
    """The five choices P, C, W, A, T of the loop, plus the search space and search settings.

    ``P`` names a metric of :data:`dlcourse.metrics.METRICS`, ``C`` a loss of
    :data:`dlcourse.losses.LOSSES`, ``W`` an :func:`initialize` scheme, ``A`` an optimizer of
    :data:`dlcourse.optim.OPTIMIZER_NAMES`, ``T`` a search of :data:`dlcourse.tuning.SEARCHES`; ``search_kwargs`` go to that search (budgets, trials).

    Parameters
    ----------
    task : str
        The kind of task, a label (e.g. ``"classification"``).
    P : str
        The metric, a key of :data:`dlcourse.metrics.METRICS` (else ``ValueError``, as for C, W, A and T).
    C : str
        The loss, a key of :data:`dlcourse.losses.LOSSES`.
    W : {"he", "xavier", "default"}
        The :func:`initialize` scheme.
    A : str
        The optimizer, one of :data:`dlcourse.optim.OPTIMIZER_NAMES`.
    T : str
        The search, a key of :data:`dlcourse.tuning.SEARCHES`.
    space : dict
        The search space ``{name: dimension}``, checked by :func:`dlcourse.spaces.check_space`.
    search_kwargs : dict, optional
        Keyword arguments for the search (budgets, trials); empty by default.
    builder : callable, default mlp_builder
        ``builder(params, data) -> nn.Module``, the model M (:func:`mlp_builder` or :func:`cnn_builder`).
    why : dict, optional
        Short reasons for the choices, keyed by letter (``"P"``, ``"T"``, …); empty by default.
    """

    task: str
    P: str
    C: str
    W: str
    A: str
    T: str
    space: dict
    search_kwargs: dict = field(default_factory=dict)
    builder: Callable = mlp_builder
    why: dict = field(default_factory=dict)

    def __post_init__(self):
        check_choice(self.P, "P", METRICS)
        check_choice(self.C, "C", LOSSES)
        check_choice(self.W, "W", ("xavier", "he", "default"))
        check_choice(self.A, "A", OPTIMIZER_NAMES)
        check_choice(self.T, "T", tuning.SEARCHES)
        self.space = tuning.check_space(self.space, "space")

    @property
    def metric(self) -> Callable:
        """The metric P, a callable ``(output, target) -> float``."""
        return METRICS[self.P][0]

    @property
    def mode(self) -> str:
        """``"max"`` if a greater P is better, else ``"min"``."""
        return "max" if METRICS[self.P][1] else "min"

    def row(self) -> dict:
        """P, C, W, A, T (and why) as one row of the common-configurations table.

        Returns
        -------
        dict
            ``"P (metric)"``, ``"C (cost)"``, ``"W (init)"``, ``"A (optimizer)"``, ``"T (tuning)"`` and
            ``"searched"`` (the names of the searched hyperparameters, comma-separated); the ``why`` notes are
            not in it.
        """
        return {
            "P (metric)": self.P,
            "C (cost)": self.C,
            "W (init)": self.W,
            "A (optimizer)": self.A,
            "T (tuning)": self.T,
            "searched": ", ".join(self.space),
        }


@dataclass
class StrategyResult:
    """What the loop returns: the best model by P, its hyperparameters and validation score, and
    the search (every trial).

    Parameters
    ----------
    model : torch.nn.Module
        The best model by P, trained (a copy on the CPU).
    params : dict
        Its hyperparameters.
    val_score : float
        Its P on the validation split.
    search : dlcourse.tuning.SearchResult
        Every trial of the search.
    strategy : Strategy
        The strategy that was run.
    """

    model: nn.Module
    params: dict
    val_score: float
    search: tuning.SearchResult
    strategy: Strategy

    def test_score(self, data) -> float:
        """P on the test split — call it once, after all choices are made.

        Parameters
        ----------
        data : dlcourse.data.DataSplits
            The data the strategy ran on (its ``test`` split is scored; C is built from ``train``).

        Returns
        -------
        float
            The model's P on the test split.
        """
        return float(
            evaluate(self.model, data.test, loss_fn=LOSSES[self.strategy.C](data.train), metric=self.strategy.metric)[1]
        )


def make_objective(strategy: Strategy, data, *, seed: int = 0, device=None, keep=None) -> Callable:
    """The objective ``f(params, budget, report=None) -> score`` of steps 7–8: seed, build M with
    ``strategy.builder``, initialise with W, train ``budget`` epochs with A on C (learning rate
    ``params["lr"]``, batch size ``params.get("batch_size", 64)``), and return P on the
    validation split. ``report(epoch, value)`` (Optuna's pruning hook) is called after every
    epoch with P on validation. ``keep`` (a dict) receives the best model seen so far. ``device``
    goes to :func:`dlcourse.training.fit` (``None``: :func:`dlcourse.runtime.get_device`).

    Parameters
    ----------
    strategy : Strategy
        The choices P, C, W, A and the model builder.
    data : dlcourse.data.DataSplits
        The data: trained on ``train``, scored on ``val``.
    seed : int, default 0
        Seed set before every trial (:func:`dlcourse.runtime.seed_everything`) and given to ``fit``.
    device : str or torch.device, optional
        Where to train; ``None`` picks :func:`dlcourse.runtime.get_device`.
    keep : dict, optional
        If given, updated with ``score``, ``params`` and ``model`` (a copy on the CPU) whenever a trial beats
        the best so far.

    Returns
    -------
    callable
        ``objective(params, budget, report=None) -> float``. It reads ``params["lr"]`` (default ``1e-3``),
        ``params["weight_decay"]`` (default 0) and ``params["batch_size"]`` (default 64), and trains
        ``max(1, round(budget))`` epochs.
    """
    metric, loss_fn = strategy.metric, LOSSES[strategy.C](data.train)
    sign = 1 if strategy.mode == "max" else -1

    def objective(params: dict, budget, report=None) -> float:
        seed_everything(seed)
        model = initialize(strategy.builder(params, data), strategy.W)
        callbacks = [] if report is None else [lambda epoch, history, m: report(epoch, history.val_metric[-1])]
        lr, weight_decay = float(params.get("lr", 1e-3)), float(params.get("weight_decay", 0.0))
        fit(
            model,
            data.train,
            data.val if report is not None else None,  # scored every epoch only for the pruning hook
            epochs=max(1, int(round(budget))),
            optimizer=lambda ps: make_optimizer(strategy.A, ps, lr=lr, weight_decay=weight_decay),
            loss_fn=loss_fn,
            metric=metric,
            batch_size=int(params.get("batch_size", 64)),
            seed=seed,
            callbacks=callbacks,
            device=device,
            progress=False,
        )
        score = float(evaluate(model, data.val, loss_fn=loss_fn, metric=metric)[1])
        if keep is not None and (not keep or sign * score > sign * keep["score"]):
            keep.update(score=score, params=dict(params), model=copy.deepcopy(model).cpu())
        return score

    return objective


def run_strategy(strategy: Strategy, data, *, seed: int = 0, device=None, **search_kwargs) -> StrategyResult:
    """Steps 6–10 of the loop: search ``strategy.space`` with ``strategy.T`` (``search_kwargs``
    override ``strategy.search_kwargs``), each trial an initialised, trained and validated model;
    return the model that is best by P on the validation split. ``device``: as in :func:`make_objective`.

    Parameters
    ----------
    strategy : Strategy
        The strategy to run (else ``TypeError``).
    data : dlcourse.data.DataSplits
        The data: trained on ``train``, scored on ``val``.
    seed : int, default 0
        Seed of every trial, and of the search if it takes one (unless ``search_kwargs`` set it).
    device : str or torch.device, optional
        Where to train; ``None`` picks :func:`dlcourse.runtime.get_device`.
    **search_kwargs
        Keyword arguments for the search, overriding ``strategy.search_kwargs``.

    Returns
    -------
    StrategyResult
        The best model by P, its hyperparameters and validation score, and the search.
    """
    if not isinstance(strategy, Strategy):
        raise TypeError(f"strategy must be a Strategy, got {type(strategy).__name__}")
    keep: dict = {}
    objective = make_objective(strategy, data, seed=seed, device=device, keep=keep)
    search_fn = tuning.SEARCHES[strategy.T]
    kwargs = {**strategy.search_kwargs, **search_kwargs}
    if "seed" in inspect.signature(search_fn).parameters:
        kwargs.setdefault("seed", seed)
    search = search_fn(objective, strategy.space, mode=strategy.mode, **kwargs)
    return StrategyResult(keep["model"], keep["params"], keep["score"], search, strategy)


#: P, C, W, A, T for five kinds of task (after the strategy document's table), each runnable on
#: the course's offline data with a small search.
#: :meta hide-value:
COMMON_CONFIGURATIONS: dict[str, Strategy] = {
    "classification": Strategy(
        "classification",
        P="accuracy",
        C="cross-entropy",
        W="he",
        A="adam",
        T="random",
        space={
            "lr": tuning.loguniform(1e-4, 3e-2),
            "dropout": tuning.uniform(0.0, 0.5),
            "width": tuning.integer(16, 128, log=True),
        },
        search_kwargs={"n_trials": 4, "budget": 10},
        why={"P": "balanced classes: accuracy", "W": "ReLU units: He", "T": "random search over lr, dropout, width"},
    ),
    "regression": Strategy(
        "regression",
        P="rmse",
        C="mse",
        W="he",
        A="adam",
        T="grid",
        space={"lr": tuning.loguniform(3e-3, 3e-2), "width": [32, 64]},
        search_kwargs={"points": 2, "budget": 20},
        why={"P": "RMSE, in the target's units", "C": "MSE (Huber if outliers)", "T": "a small grid"},
    ),
    "imbalanced classification": Strategy(
        "imbalanced classification",
        P="f1 (minority class)",
        C="weighted cross-entropy",
        W="xavier",
        A="adamw",
        T="tpe",
        space={"lr": tuning.loguniform(1e-4, 3e-2), "weight_decay": tuning.loguniform(1e-5, 1e-1)},
        search_kwargs={"n_trials": 6, "max_budget": 9, "n_startup_trials": 3},
        why={
            "P": "F1 of the rare class (accuracy rewards ignoring it)",
            "C": "class weights n/(K n_k)",
            "T": "Bayesian optimisation (TPE)",
        },
    ),
    "time-series forecasting": Strategy(
        "time-series forecasting",
        P="rmse",
        C="mse",
        W="he",
        A="rmsprop",
        T="grid",
        space={"lr": tuning.loguniform(3e-4, 3e-3), "width": [32]},
        search_kwargs={"points": 2, "budget": 15},
        why={"P": "RMSE of the next value", "A": "RMSProp", "T": "a small grid; chronological splits"},
    ),
    "image tasks": Strategy(
        "image tasks",
        P="accuracy",
        C="cross-entropy",
        W="he",
        A="sgd_momentum",
        T="hyperband",
        space={"lr": tuning.loguniform(3e-3, 1e-1), "channels": [4, 8]},
        builder=cnn_builder,
        search_kwargs={"max_budget": 4, "eta": 2, "brackets": 1},
        why={"W": "He for ReLU convolutions", "A": "SGD with momentum", "T": "Hyperband (cheap epochs first)"},
    ),
}
