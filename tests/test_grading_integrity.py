"""dlcourse.grading.integrity: a replaced comparison or checker method is reported, and fools no check."""

import pytest
import torch

from dlcourse import grading


def test_replacing_torch_isclose_neither_fools_the_checks_nor_goes_unreported(monkeypatch, capsys):
    assert grading.verify_integrity() == []
    monkeypatch.setattr(torch, "isclose", lambda *a, **k: torch.ones(1, dtype=torch.bool))
    assert grading.verify_integrity() == ["torch.isclose"]
    with pytest.raises(grading.CheckFailed):
        grading.check_close(torch.tensor([1.0]), torch.tensor([2.0]), "x")
    out = capsys.readouterr().out
    assert "values differ" in out and "integrity: torch.isclose was replaced" in out


def test_patching_the_checker_is_reported_even_when_the_check_would_pass(monkeypatch, capsys):
    monkeypatch.setattr(grading.Checker, "close", lambda self, *a, **k: True)
    with pytest.raises(grading.CheckFailed, match="integrity: grading.Checker.close was replaced"):
        with grading.Checker("tampered") as check:
            check.close(1.0, 2.0, "wrong answer")
