"""dlcourse.grading.compare: what a wrong answer is told, tolerance for numbers, no answer that equals everything."""

import pytest
import torch

from dlcourse import grading


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


def test_numbers_are_compared_with_tolerance():
    grading.check_close(torch.tensor(0.3333333), 1 / 3, "third")
    with pytest.raises(grading.CheckFailed):
        grading.check_close("0.33", 1 / 3, "third")


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
