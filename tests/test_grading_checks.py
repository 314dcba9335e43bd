import pytest
import torch

from dlcourse import grading


def test_check_function_passes_and_prints_one_line_per_case(capsys):
    grading.check_function(torch.relu, torch.relu, [torch.tensor([-1.0, 2.0]), (torch.zeros(10),)], name="relu")
    out = capsys.readouterr().out.splitlines()
    assert out == ["✔ relu(tensor([-1., 2.])) matches the reference",
                   "✔ relu(tensor float32 (10,) in [0, 0]) matches the reference"]


@pytest.mark.parametrize("student,message", [
    (lambda x: x, "1 of 2 values differ; first at flat index 0: expected 0, got -1"),
    (lambda x: x.tolist(), "expected a torch.Tensor, got list"),
    (lambda x: x.double().clamp(min=0), "expected dtype torch.float32, got torch.float64"),
    (lambda x: x[:1].clamp(min=0), "expected shape (2,), got shape (1,)"),
    (lambda x: x / 0 * 0, "got NaN at"),
])
def test_check_function_explains_what_is_wrong(student, message, capsys):
    with pytest.raises(grading.CheckFailed):
        grading.check_function(student, torch.relu, [torch.tensor([-1.0, 2.0])], name="relu")
    assert message in capsys.readouterr().out


def test_not_implemented_and_crashes_are_readable(capsys):
    def todo(x):
        raise NotImplementedError()

    def crash(x):
        return x.undefined

    for fn in (todo, crash):
        with pytest.raises(grading.CheckFailed):
            grading.check_function(fn, torch.relu, [torch.zeros(1)], name="f")
    out = capsys.readouterr().out
    assert "not implemented yet" in out and "raised AttributeError" in out


def test_student_cannot_corrupt_the_reference_by_mutating_inputs():
    x = torch.tensor([-1.0, 2.0])

    def mutating_relu(t):
        t.clamp_(min=0)
        return t

    grading.check_function(mutating_relu, torch.relu, [x])
    torch.testing.assert_close(x, torch.tensor([-1.0, 2.0]))


def test_checker_context_collects_and_raises_once(capsys):
    with pytest.raises(grading.CheckFailed, match="1 check\\(s\\) failed"):
        with grading.Checker("demo") as check:
            check.close(0.5, 0.5, "a number")
            check.true(False, "a condition", hint="make it true")
            check.close({"a": 1}, {"a": 1}, "a dict")
    out = capsys.readouterr().out
    assert out.startswith("Checking demo:") and "✘ a condition: make it true" in out


def test_numbers_are_compared_with_tolerance():
    grading.check_close(torch.tensor(0.3333333), 1 / 3, "third")
    with pytest.raises(grading.CheckFailed):
        grading.check_close("0.33", 1 / 3, "third")


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
