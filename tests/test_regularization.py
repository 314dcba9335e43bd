"""dlcourse.regularization: every name of the regularization modules is importable from it. (The tests of
each module are in tests/test_regularization_<module>.py, for dlcourse/regularization/<module>.py.)"""

from __future__ import annotations

import importlib

import pytest

from dlcourse import regularization as R

MODULES = ["penalties", "noise", "callbacks", "pruning", "models", "experiment"]


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_of_the_regularization_modules_is_importable_from_regularization(module):
    module = importlib.import_module(f"dlcourse.regularization.{module}")
    for name in module.__all__:
        assert getattr(R, name) is getattr(module, name), name
