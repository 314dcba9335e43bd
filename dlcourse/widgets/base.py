"""The thin layer itself: :func:`interactive_plot` wraps a function that draws one figure in
``ipywidgets`` controls, for every explorer of the package."""

from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt

__all__ = [
    "interactive_plot",
]


def interactive_plot(plot_fn: Callable, **controls):
    """Wrap ``plot_fn(**kwargs)`` (which draws one figure) in ``ipywidgets.interactive``.

    ``controls`` are ipywidgets (or abbreviations ipywidgets understands, such as a tuple
    ``(min, max, step)`` or a list of options), one per keyword of ``plot_fn``.

    Parameters
    ----------
    plot_fn : callable
        ``plot_fn(**kwargs) -> matplotlib.figure.Figure``; each figure is displayed, then closed.
    **controls
        One widget or abbreviation per keyword of ``plot_fn``.

    Returns
    -------
    ipywidgets.interactive
        The controls and the output area; display it in a notebook.
    """
    import ipywidgets as widgets  # imported here: the library works without a notebook front-end
    from IPython.display import display

    def draw(**kwargs):
        fig = plot_fn(**kwargs)
        display(fig)
        # Close at once: a figure left open would be shown again by the inline backend at the
        # end of whichever cell runs next.
        plt.close(fig)

    return widgets.interactive(draw, **controls)
