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


@pytest.mark.parametrize(
    "student,message",
    [
        (lambda x: x, "1 of 2 values differ; first at flat index 0: expected 0, got -1"),
        (lambda x: x.tolist(), "expected a torch.Tensor, got list"),
        (lambda x: x.double().clamp(min=0), "expected dtype torch.float32, got torch.float64"),
        (lambda x: x[:1].clamp(min=0), "expected shape (2,), got shape (1,)"),
        (lambda x: x / 0 * 0, "got NaN at"),
    ],
)
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


class _EqualsEverything(str):
    """What a hostile answer looks like: claims to equal anything (and is even a str)."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


class _EqualsEverythingObject:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return hash("relu")


@pytest.mark.parametrize(
    "answer",
    [
        _EqualsEverythingObject(),
        _EqualsEverything("x"),
        [_EqualsEverythingObject()] * 2,
        {"a": _EqualsEverythingObject(), "b": "relu"},
        {_EqualsEverythingObject(): "relu", "b": "relu"},
    ],
)
def test_an_answer_that_claims_to_equal_anything_is_not_equal(answer):
    expected = (
        {"a": "relu", "b": "relu"}
        if isinstance(answer, dict)
        else (["relu", "relu"] if isinstance(answer, list) else "relu")
    )
    with pytest.raises(grading.CheckFailed):
        grading.check_close(answer, expected, "the answer")


def test_dict_answers_are_compared_by_key_in_any_order():
    expected = {"task one": "sigmoid", "task two": "softmax"}
    grading.check_close({"task two": "softmax", "task one": "sigmoid"}, expected, "answers")


@pytest.mark.parametrize(
    "answer, message",
    [
        ({"task one": "relu", "task two": "softmax"}, "1 of 2 answers are not the expected ones"),
        ({"task one": "sigmoid"}, "the keys are not the ones given"),
        (["relu", "tanh"], "expected a dict, got list"),
    ],
)
def test_a_wrong_categorical_answer_is_explained_without_showing_the_expected_one(answer, message, capsys):
    expected = {"task one": "sigmoid", "task two": "softmax"}
    with pytest.raises(grading.CheckFailed) as failure:
        grading.check_close(answer, expected, "answers")
    shown = capsys.readouterr().out + str(failure.value)
    assert message in shown
    assert "sigmoid" not in shown and "softmax" not in shown.replace(repr(answer), "")


def test_a_wrong_text_answer_does_not_show_the_expected_text(capsys):
    with pytest.raises(grading.CheckFailed) as failure:
        grading.check_close("loss curve", "gradient check", "the check that finds the bug")
    assert "gradient check" not in capsys.readouterr().out + str(failure.value)


@pytest.mark.parametrize(
    "answer, expected",
    [
        ([1, 2.0000001], [1, 2]),
        ((64, 10), (64, 10)),
        ([True, None], [True, None]),
        (torch.tensor(True), True),
        (__import__("numpy").float64(0.5), 0.5),
        ({"n": 3}, {"n": 3.0}),
    ],
)
def test_equal_answers_of_equivalent_types_pass(answer, expected):
    grading.check_close(answer, expected, "the answer")


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
