"""dlcourse.grading.checker: one line per check, one failure at the end; unanswered parts, crashes and warnings."""

import pytest
import torch

from dlcourse import grading


def test_check_function_passes_and_prints_one_line_per_case(capsys):
    grading.check_function(torch.relu, torch.relu, [torch.tensor([-1.0, 2.0]), (torch.zeros(10),)], name="relu")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "✔ relu(tensor([-1., 2.])) matches the reference",
        "✔ relu(tensor float32 (10,) in [0, 0]) matches the reference",
    ]


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


def test_a_warning_from_the_students_code_is_a_note_on_stdout_not_stderr(capsys):
    """nbgrader gives 0 to a graded cell with anything on stderr: a correct answer that warns must pass."""
    import warnings

    def relu(x):
        warnings.warn("a deprecated call", UserWarning, stacklevel=2)
        return x.clamp(min=0)

    with grading.Checker("part A") as check:
        check.function(relu, torch.relu, [torch.tensor([-1.0, 2.0])], name="relu")
    out, err = capsys.readouterr()
    assert err == ""
    assert "note: your code warned during the checks (UserWarning: a deprecated call)" in out
    assert "All 1 check(s) passed." in out


def test_an_unwritten_method_is_named_with_its_class(capsys):
    """A class whose ``__init__`` still raises NotImplementedError is named by its class, not as ``__init__``."""
    import sys

    class InvertedDropout:
        def __init__(self, p=0.5):
            raise NotImplementedError()

    with pytest.raises(grading.CheckFailed):
        with grading.Checker("part B") as check:
            check.true(InvertedDropout(0.25) is not None, "builds")
    expected = "InvertedDropout.__init__" if sys.version_info >= (3, 11) else "__init__"
    assert f"\u2718 {expected} is not implemented yet" in capsys.readouterr().out
