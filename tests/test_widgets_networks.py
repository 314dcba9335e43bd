"""dlcourse.widgets.networks: the activation explorer's figure follows its controls."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from dlcourse import widgets  # noqa: E402

from .plotting_cases import line_data  # noqa: E402


def test_activation_explorer_figure_changes_with_its_controls():
    base = line_data(widgets.activation_figure("leaky_relu", 0.1))
    other = line_data(widgets.activation_figure("leaky_relu", 0.5))
    elu = line_data(widgets.activation_figure("elu", 0.1))
    assert not np.allclose(base[0], other[0]) and not np.allclose(base[0], elu[0])
    assert np.isfinite(line_data(widgets.activation_figure("softplus", 0.0))[0]).all()
    plt.close("all")
