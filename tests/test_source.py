"""dlcourse.source: the code a chapter shows is the library's, its docstrings cut to their summary line."""

from __future__ import annotations

import ast

import pytest

import dlcourse
from dlcourse import activations, augment, optim, regularization
from dlcourse.source import source_text

SHOWN = [
    activations.sigmoid,
    activations.softmax_jacobian,
    optim.adam_update,
    regularization.EarlyStopping,
    regularization.EarlyStopping.__call__,
    augment.affine,
    dlcourse.show_source,
]


@pytest.mark.parametrize("obj", SHOWN, ids=lambda o: o.__qualname__)
def test_the_shown_code_is_the_code_with_only_docstrings_changed(obj):
    full, summary, bare = (source_text(obj, docstring=mode) for mode in ("full", "summary", "none"))

    def without_docstrings(code):
        tree = ast.parse(code)
        for node in ast.walk(tree):
            if (
                isinstance(node, (ast.FunctionDef, ast.ClassDef))
                and node.body
                and isinstance(node.body[0], ast.Expr)
                and isinstance(getattr(node.body[0], "value", None), ast.Constant)
            ):
                node.body = node.body[1:] or [ast.Pass()]
        return ast.dump(tree)

    assert without_docstrings(full) == without_docstrings(summary) == without_docstrings(bare)
    assert len(bare) <= len(summary) <= len(full)


def test_summary_keeps_the_first_paragraph_of_each_docstring():
    code = source_text(regularization.EarlyStopping)
    tree = ast.parse(code)
    docs = [
        ast.get_docstring(n)
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(n)
    ]
    assert docs and all("\n\n" not in d for d in docs)
    assert docs[0] == regularization.EarlyStopping.__doc__.strip().splitlines()[0]


def test_show_source_prints_it(capsys):
    dlcourse.show_source(activations.sigmoid)
    assert capsys.readouterr().out == source_text(activations.sigmoid)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="docstring"):
        source_text(activations.sigmoid, docstring="short")
    with pytest.raises(TypeError, match="source"):
        source_text(len)


def test_the_summary_is_shown_as_the_file_writes_it():
    """A non-raw docstring's escapes (``\\\\lambda``) and a summary over two lines come out as written."""
    import inspect
    import textwrap

    for obj in (augment.cutmix_boxes, regularization.soft_threshold):
        written = textwrap.dedent(inspect.getsource(obj)).splitlines()
        shown = source_text(obj).splitlines()
        assert all(line in written or line.endswith('"""') and line[:-3] in written for line in shown)
