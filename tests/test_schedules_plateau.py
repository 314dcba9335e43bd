"""dlcourse.schedules.plateau: ReduceOnPlateau against torch's ReduceLROnPlateau, step by step on
noisy, flat and stepwise metric runs; its signature and its refusal of an explicit epoch."""

from __future__ import annotations

import pytest
from torch.optim import lr_scheduler as L

from dlcourse import schedules as S

from .schedules_cases import METRIC_RUNS
from .schedules_cases import same as _same
from .schedules_cases import two_group_optimizer as _opt


@pytest.mark.parametrize("run", list(METRIC_RUNS))
@pytest.mark.parametrize(
    "kwargs",
    [dict(patience=3), dict(patience=2, factor=0.5, cooldown=2), dict(patience=0, min_lr=0.01, threshold=0.05)],
)
def test_reduce_on_plateau_equals_reduce_lr_on_plateau(run, kwargs):
    _same(
        lambda o: S.ReduceOnPlateau(o, **kwargs), lambda o: L.ReduceLROnPlateau(o, **kwargs), metrics=METRIC_RUNS[run]
    )


def test_reduce_on_plateau_max_mode():
    metrics = [0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7]
    _same(
        lambda o: S.ReduceOnPlateau(o, mode="max", patience=1),
        lambda o: L.ReduceLROnPlateau(o, mode="max", patience=1),
        steps=10,
        metrics=metrics,
    )


@pytest.mark.parametrize("run", list(METRIC_RUNS))
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(threshold_mode="abs", threshold=0.02, patience=2),
        dict(mode="max", threshold_mode="abs", threshold=0.01, patience=1),
        dict(patience=1, min_lr=[0.2, 0.01], factor=0.5),
    ],
)
def test_reduce_on_plateau_threshold_mode_and_per_group_min_lr(run, kwargs):
    _same(
        lambda o: S.ReduceOnPlateau(o, **kwargs), lambda o: L.ReduceLROnPlateau(o, **kwargs), metrics=METRIC_RUNS[run]
    )


def test_reduce_on_plateau_refuses_an_explicit_epoch():
    with pytest.raises(NotImplementedError, match="^epoch"):
        S.ReduceOnPlateau(_opt()).step(1.0, epoch=3)


def test_reduce_on_plateau_signature_equals_torchs():
    import inspect

    shape = lambda f: [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]  # noqa: E731
    assert shape(S.ReduceOnPlateau.__init__) == shape(L.ReduceLROnPlateau.__init__)
