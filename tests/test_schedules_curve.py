"""dlcourse.schedules.curve: lr_curve tabulates a formula scheduler and a plateau scheduler."""

from __future__ import annotations

import pytest

from dlcourse import schedules as S


def test_lr_curve_matches_formulas():
    assert S.lr_curve(lambda o: S.power(o, s=2, c=1), steps=4, lr=2.0) == pytest.approx([2.0, 4 / 3, 1.0, 0.8])
    assert S.lr_curve(lambda o: S.ReduceOnPlateau(o, patience=0), steps=3, lr=1.0, metrics=[1, 1, 1]) == pytest.approx(
        [1.0, 1.0, 0.1]
    )
