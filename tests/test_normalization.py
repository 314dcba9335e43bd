"""dlcourse.normalization: every name of the normalization modules is importable from it. (The tests of each
module are in tests/test_normalization_<module>.py, for dlcourse/normalization/<module>.py.)"""

from __future__ import annotations

import importlib

import pytest

from dlcourse import normalization as N

MODULES = ["preprocessing", "conditioning", "batchnorm_functional", "batchnorm_modules", "layernorm"]


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_of_the_normalization_modules_is_importable_from_normalization(module):
    module = importlib.import_module(f"dlcourse.normalization.{module}")
    for name in module.__all__:
        assert getattr(N, name) is getattr(module, name), name
