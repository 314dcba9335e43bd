"""Drawing a computation graph of :class:`Value` nodes with matplotlib: :func:`draw_graph`."""

from __future__ import annotations

from .engine import Value, topological_order

__all__ = ["draw_graph"]


def draw_graph(root: Value, ax=None, *, show_grad: bool = True, figsize: tuple[float, float] | None = None):
    """Draw the computation graph of ``root`` with matplotlib (no graphviz) and return the figure.

    Values are boxes (``label``, ``data`` and, with ``show_grad``, ``grad``); each operation is a
    small circle between its inputs and its output. Columns are the longest distance from a leaf.

    Parameters
    ----------
    root : Value
        The output node.
    ax : matplotlib.axes.Axes or None, default None
        The axes to draw on (None: a new figure).
    show_grad : bool, default True
        Keyword-only: show each node's ``grad`` too.
    figsize : tuple of float or None, default None
        Keyword-only: the new figure's size in inches (None: from the graph's size); unused with ``ax``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    import matplotlib.pyplot as plt

    order = topological_order(root)
    level: dict[int, int] = {}
    for node in order:
        level[id(node)] = 1 + max((level[id(p)] for p in node._parents), default=-1)
    columns: dict[int, list[Value]] = {}
    for node in order:
        columns.setdefault(level[id(node)], []).append(node)
    n_cols, n_rows = len(columns), max(len(c) for c in columns.values())
    if ax is None:
        _, ax = plt.subplots(figsize=figsize or (max(4.0, 2.6 * n_cols), max(2.0, 1.1 * n_rows)))
    pos = {}
    for col, nodes in columns.items():
        for row, node in enumerate(nodes):
            pos[id(node)] = (2.0 * col, (len(nodes) - 1) / 2.0 - row)
    box = dict(boxstyle="round,pad=0.3", fc="#eef4fb", ec="#1f77b4")
    for node in order:
        x, y = pos[id(node)]
        text = (f"{node.label} | " if node.label else "") + f"{node.data:.3g}"
        if show_grad:
            text += f"\ngrad {node.grad:.3g}"
        ax.text(x, y, text, ha="center", va="center", fontsize=8, bbox=box, zorder=3)
        if node._parents:
            ox = x - 0.9
            ax.annotate(
                "", xy=(x - 0.45, y), xytext=(ox + 0.15, y), arrowprops=dict(arrowstyle="->", color="grey"), zorder=1
            )
            ax.text(
                ox,
                y,
                node.op,
                ha="center",
                va="center",
                fontsize=8,
                zorder=3,
                bbox=dict(boxstyle="circle,pad=0.2", fc="#fff3e0", ec="#ff7f0e"),
            )
            for parent in node._parents:
                px, py = pos[id(parent)]
                ax.annotate(
                    "",
                    xy=(ox - 0.12, y),
                    xytext=(px + 0.45, py),
                    arrowprops=dict(arrowstyle="->", color="grey", shrinkA=0, shrinkB=2),
                    zorder=1,
                )
    ax.set_xlim(-0.8, 2.0 * (n_cols - 1) + 0.8)
    ax.set_ylim(-n_rows / 2.0 - 0.2, n_rows / 2.0 + 0.2)
    ax.axis("off")
    return ax.figure
