"""Repository-wide pytest settings that apply to the notebooks (book/, solutions/) too."""

from __future__ import annotations

import os

# Notebooks are checked with the thread count their outputs were recorded with.
os.environ.setdefault("DLCOURSE_NUM_THREADS", "1")


def _execute_like_jupyter() -> None:
    """Make nbval execute cells with ``store_history=True``, as Jupyter, nbclient and nbgrader do.

    IPython decides whether a trailing ``;`` silences a cell's result by reading the *last
    stored* cell. nbval executes with ``store_history=False``, so under nbval ``fig = ...``-free
    plot cells such as ``plot_something();`` would show their figure a second time and differ
    from the stored outputs, although they behave correctly everywhere else.
    """
    try:
        from nbval.kernel import RunningKernel
    except ImportError:  # nbval is not installed: no notebooks are collected anyway
        return

    def execute_cell_input(self, cell_input, allow_stdin=None):
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)

    RunningKernel.execute_cell_input = execute_cell_input


_execute_like_jupyter()


#: The longest scopes of the suite, longest first (seconds on the 2-core course machine, measured from
#: the suite's JUnit report). pytest-xdist's ``--dist loadscope`` hands scopes to the two workers in
#: collection order; a long scope handed out last keeps one worker busy while the other idles, so these
#: go first and the many short scopes (unit tests, one notebook each) fill in around them.
LONGEST_FIRST = (
    "tests/test_colab_path.py",  # ~245 s: a fresh venv, then every notebook again on the second CPU
    "tests/test_instructor.py",  # ~140 s: the hostile batch
    "tests/test_grading_loop.py",  # 10-25 s per lab
    "tests/test_book_html.py",  # ~120 s: build the book, load every page in Chromium
)


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: within a rank, collection order is kept
