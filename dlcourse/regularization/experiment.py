r"""An experiment to regularize: a network that overfits the two moons, trained with the regularizers asked for.

The chapter's explorer and Lab 05 call :func:`moons_experiment`; Lab 05 passes its own components.

Examples
--------
>>> run = moons_experiment(epochs=5, device="cpu")
>>> sorted(run)
['gap', 'history', 'model', 'splits', 'train_acc', 'val_acc']
"""

from __future__ import annotations

from torch import nn

from .._checks import (
    check_positive_int,
)
from .callbacks import EarlyStopping
from .noise import Dropout, label_smoothing_cross_entropy
from .penalties import l2_penalty

__all__ = ["moons_experiment"]


# --------------------------------------------------------------------------- an experiment to regularize
def moons_experiment(
    *,
    l2: float = 0.0,
    dropout: float = 0.0,
    smoothing: float = 0.0,
    patience: int | None = None,
    epochs: int = 200,
    n_train: int = 100,
    seed: int = 0,
    components: dict | None = None,
    device=None,
) -> dict:
    r"""Train a model that overfits, with the regularizers asked for; used by the chapter's explorer and Lab 05.

    Data: ``n_train`` points of the two moons (noise 0.35) for training, 300 for validation (the
    data and the initialization both follow ``seed``). Model: ``Linear(2, 128) → ReLU → [Dropout] →
    Linear(128, 128) → ReLU → [Dropout] → Linear(128, 2)``, trained full-batch with Adam (lr 0.01) for
    ``epochs`` steps on :math:`\text{CE}_\varepsilon + \frac{\alpha}{2}\sum w^2` (label smoothing
    ``smoothing`` = ε, L2 strength ``l2`` = α), with early stopping on the validation loss if
    ``patience`` is given. ``components`` replaces the library's pieces by others with the same
    signatures (keys ``"l2_penalty"``, ``"Dropout"``, ``"EarlyStopping"``,
    ``"label_smoothing_cross_entropy"``): Lab 05 passes the student's.
    ``device`` is where the model trains (default: :func:`dlcourse.runtime.resolve_device`'s, as for
    :func:`dlcourse.training.fit`); the data and the initialization are drawn on the CPU either way.

    Parameters
    ----------
    l2 : float, default 0.0
        L2 strength α; must be >= 0 (0: no penalty).
    dropout : float, default 0.0
        Drop probability of the two dropout layers, in [0, 1); 0 leaves them out.
    smoothing : float, default 0.0
        Label smoothing ε, in [0, 1].
    patience : int, optional
        Patience of the early stopping; ``None`` (or 0) trains for all ``epochs``.
    epochs : int, default 200
        Number of epochs, each one full-batch step.
    n_train : int, default 100
        Number of training points; must be in [1, 1400].
    seed : int, default 0
        Seed of the data, the initialization and the training.
    components : dict, optional
        Replacements for the library's pieces, by the keys above; ``None`` uses the library's.
    device : str or torch.device, optional
        Where the model trains; ``None``: :func:`dlcourse.runtime.resolve_device`'s default.

    Returns
    -------
    dict
        ``model``, ``splits``, ``history``, ``train_acc``, ``val_acc`` and ``gap``
        (train − validation accuracy, both in evaluation mode).

    Raises
    ------
    ValueError
        If ``components`` has an unknown key, or a number is out of range.
    """
    from ..data import make_moons
    from ..runtime import resolve_device, seed_everything
    from ..training import evaluate, fit

    parts = {
        "l2_penalty": l2_penalty,
        "Dropout": Dropout,
        "EarlyStopping": EarlyStopping,
        "label_smoothing_cross_entropy": label_smoothing_cross_entropy,
    }
    unknown = set(components or {}) - set(parts)
    if unknown:
        raise ValueError(f"components has unknown key(s) {sorted(unknown)}; expected some of {sorted(parts)}")
    parts.update(components or {})
    n_train = check_positive_int(n_train, "n_train")
    splits = make_moons(2000, noise=0.35, seed=seed).subset_train(n_train, seed=seed)
    seed_everything(seed)
    drop = (lambda: [parts["Dropout"](dropout)]) if dropout > 0 else (lambda: [])
    model = nn.Sequential(
        nn.Linear(2, 128), nn.ReLU(), *drop(), nn.Linear(128, 128), nn.ReLU(), *drop(), nn.Linear(128, 2)
    )

    def loss_fn(output, target):
        return parts["label_smoothing_cross_entropy"](output, target, smoothing) + parts["l2_penalty"](model, l2)

    callbacks = [parts["EarlyStopping"](patience=patience)] if patience else []
    history = fit(
        model,
        splits.train,
        splits.val,
        epochs=epochs,
        lr=0.01,
        batch_size=n_train,
        loss_fn=loss_fn,
        callbacks=callbacks,
        progress=False,
        device=resolve_device(device),
        seed=seed,
    )
    train_acc, val_acc = evaluate(model, splits.train)[1], evaluate(model, splits.val)[1]
    return {
        "model": model,
        "splits": splits,
        "history": history,
        "train_acc": train_acc,
        "val_acc": val_acc,
        "gap": train_acc - val_acc,
    }
