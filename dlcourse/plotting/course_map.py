"""The course map of chapter 0: the five choices of the training strategy feeding one training loop."""

from __future__ import annotations

from .base import _axes

__all__ = [
    "STRATEGY_CHOICES",
    "STRATEGY_STEPS",
    "plot_training_loop",
]


#: The five choices of the training strategy, with the chapter that teaches each (chapter 0's map).
STRATEGY_CHOICES = (
    ("P", "performance metric", "ch. 7–8"),
    ("C", "cost (loss) function", "ch. 7–8"),
    ("W", "weight initialization", "ch. 2"),
    ("A", "optimization algorithm", "ch. 4"),
    ("T", "tuning strategy", "ch. 7–8"),
)


#: The steps of the loop; the third lists the chapters that change what one training run does.
STRATEGY_STEPS = (
    "1. pick hyperparameters H with T",
    "2. initialise model M with W",
    "3. train M with A, using H, to minimise C\n"
    "M: activations (ch. 1), normalization (ch. 3),\nregularization (ch. 5); data: augmentation (ch. 6)",
    "4. score M on validation data with P",
)


def plot_training_loop(ax=None):
    """Draw the course map: the five choices P, C, W, A, T (left) feeding the training loop (right),
    each box labelled with the chapter that teaches it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    fig, ax = _axes(ax, figsize=(10, 4.6))
    choice_box = dict(boxstyle="round,pad=0.4", fc="#fff3e0", ec="#ff7f0e")
    step_box = dict(boxstyle="round,pad=0.4", fc="#eef4fb", ec="#1f77b4")
    for i, (letter, what, chapter) in enumerate(STRATEGY_CHOICES):
        ax.text(
            0.12,
            0.88 - 0.19 * i,
            f"{letter}: {what}\n({chapter})",
            ha="center",
            va="center",
            fontsize=9,
            bbox=choice_box,
        )
    ax.text(0.12, 1.02, "choose once", ha="center", fontsize=10, weight="bold")
    ys, half = [0.92, 0.74, 0.48, 0.22], [0.04, 0.04, 0.1, 0.04]  # box centres and half-heights
    for y, text in zip(ys, STRATEGY_STEPS):
        ax.text(0.6, y, text, ha="center", va="center", fontsize=9, bbox=step_box)
    for i in range(len(ys) - 1):
        ax.annotate(
            "",
            xy=(0.6, ys[i + 1] + half[i + 1] + 0.02),
            xytext=(0.6, ys[i] - half[i] - 0.02),
            arrowprops=dict(arrowstyle="->", lw=1.2),
        )
    ax.plot([0.76, 0.85, 0.85], [ys[-1], ys[-1], ys[0]], color="#2ca02c", lw=1.2)
    ax.annotate("", xy=(0.74, ys[0]), xytext=(0.85, ys[0]), arrowprops=dict(arrowstyle="->", lw=1.2, color="#2ca02c"))
    ax.text(0.95, 0.57, "T proposes\nan untried H:\nrepeat", ha="center", va="center", fontsize=8, color="#2ca02c")
    ax.annotate("", xy=(0.6, -0.03), xytext=(0.6, ys[-1] - half[-1] - 0.02), arrowprops=dict(arrowstyle="->", lw=1.2))
    ax.text(
        0.6,
        -0.08,
        "5. return the M with the best P",
        ha="center",
        va="center",
        fontsize=9,
        bbox=dict(boxstyle="round,pad=0.4", fc="#e8f5e9", ec="#2ca02c"),
    )
    ax.annotate("", xy=(0.33, 0.55), xytext=(0.24, 0.55), arrowprops=dict(arrowstyle="-|>", lw=2, color="#ff7f0e"))
    ax.set_xlim(0, 1.05)
    ax.set_ylim(-0.15, 1.08)
    ax.axis("off")
    ax.set_title("The course map: one training loop, five choices", fontsize=11)
    return fig
