"""dlcourse.plotting.networks: an activation and its derivative drawn exactly."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from dlcourse import activations as A  # noqa: E402
from dlcourse import plotting  # noqa: E402

from .plotting_cases import line_data  # noqa: E402


@pytest.mark.parametrize("name", A.activation_names())
def test_plot_activation_draws_function_and_derivative(name):
    fig = plotting.plot_activation(name)
    y, dy = line_data(fig)[:2]
    x = torch.linspace(-5, 5, 801, dtype=torch.float64)
    ref_y, ref_dy = A.evaluate(name, x)
    np.testing.assert_allclose(y, ref_y.numpy())
    np.testing.assert_allclose(dy, ref_dy.numpy())
    plt.close(fig)
