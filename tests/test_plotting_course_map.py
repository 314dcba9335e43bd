"""dlcourse.plotting.course_map: the course map names every choice and every step of the training loop."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dlcourse import plotting  # noqa: E402


def test_training_loop_map_names_every_choice_and_step():
    fig = plotting.plot_training_loop()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for letter, what, chapter in plotting.STRATEGY_CHOICES:
        assert f"{letter}: {what}" in texts and chapter in texts
    assert all(step.split("\n")[0] in texts for step in plotting.STRATEGY_STEPS)
    assert "return the M with the best P" in texts
    plt.close(fig)
