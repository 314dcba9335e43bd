"""dlcourse.studies (the package): its re-exports, and tuning's. (The tests of each module are in
tests/test_studies_<module>.py, for dlcourse/studies/<module>.py; the workers of
:func:`dlcourse.study_workers.run_workers`: tests/test_study_workers.py.)"""

from __future__ import annotations

import pytest

from dlcourse import studies
from dlcourse import tuning as T

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_studies_reexports_run_workers():
    from dlcourse import study_workers

    assert studies.run_workers is study_workers.run_workers


def test_tuning_reexports_the_optuna_search():
    # (the workers of tests/test_studies_storage.py import studies first)
    assert T.optuna_search is studies.optuna_search is T.SEARCHES["tpe"]
