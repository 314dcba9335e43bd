"""Show the library's own code in a chapter: :func:`show_source`.

A chapter that asks the reader to study an update rule or a formula prints it from the library, so
the code the book shows is the code the tests check. The API reference holds the full docstrings
(parameters, returns, examples); in a chapter they would bury the few lines that matter, so by
default each docstring is cut to its summary line.

Examples
--------
>>> from dlcourse import activations
>>> print(source_text(activations.sigmoid).splitlines()[0])
def sigmoid(x: torch.Tensor) -> torch.Tensor:
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from ._checks import check_choice

__all__ = ["DOCSTRING_MODES", "show_source", "source_text"]

#: How much of each docstring :func:`source_text` keeps.
DOCSTRING_MODES = ("summary", "full", "none")


def source_text(obj, *, docstring: str = "summary") -> str:
    """The source code of a function, method or class, dedented, its docstrings cut to ``docstring``.

    Parameters
    ----------
    obj : function, method or class
        What to show (anything ``inspect.getsource`` accepts).
    docstring : {"summary", "full", "none"}, default "summary"
        Keep of each docstring in ``obj`` (its own and those of the functions and classes inside it) the
        summary (its first paragraph, usually one line), all of it, or nothing.

    Returns
    -------
    str
        The code, ending with a newline.

    Raises
    ------
    ValueError
        If ``docstring`` is not one of :data:`DOCSTRING_MODES`.
    TypeError
        If ``obj`` has no source (a builtin).
    """
    check_choice(docstring, "docstring", DOCSTRING_MODES)
    try:
        code = textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError) as err:
        raise TypeError(f"obj has no Python source to show: {obj!r}") from err
    if docstring == "full":
        return code
    lines = code.splitlines()
    for start, end, replacement in sorted(_docstring_spans(code, docstring), reverse=True):
        lines[start:end] = replacement
    return "\n".join(lines) + "\n"


def _docstring_spans(code: str, mode: str):
    """(first line, end line, replacement lines) of every docstring in ``code``, 0-based, end exclusive."""
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not node.body:
            continue
        first = node.body[0]
        if not (
            isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
        ):
            continue
        start, end = first.lineno - 1, first.end_lineno
        if mode == "none":
            yield start, end, []
            continue
        # the summary as the file writes it (a non-raw docstring's "\\lambda" stays "\\lambda"): the
        # docstring's lines up to its first blank line, closed with the quotes that opened it
        written = code.splitlines()[start:end]
        summary = []
        for line in written:
            if summary and not line.strip():
                break
            summary.append(line)
        if len(summary) < len(written):
            quotes = "'" * 3 if written[0].lstrip().lstrip("rRuU").startswith("'" * 3) else '"' * 3
            yield start, end, summary[:-1] + [summary[-1].rstrip() + quotes]


def show_source(obj, *, docstring: str = "summary") -> None:
    """Print :func:`source_text` of ``obj``: the library's code as a chapter shows it.

    Parameters
    ----------
    obj : function, method or class
        What to show.
    docstring : {"summary", "full", "none"}, default "summary"
        How much of each docstring to keep (see :func:`source_text`).
    """
    print(source_text(obj, docstring=docstring), end="")
