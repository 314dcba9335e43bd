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
