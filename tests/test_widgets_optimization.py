"""dlcourse.widgets.optimization: the gradient descent explorer's figure draws the run and the full-batch reference."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from dlcourse import data, widgets  # noqa: E402


def test_gradient_descent_figure_draws_the_run_and_the_full_batch_reference():
    from dlcourse import autodiff

    fig = widgets.gradient_descent_figure(lr=0.1, batch_size=32, epochs=2)
    run, full = fig.axes[0].get_lines()
    X, y = data.load_breast_cancer().train
    expected = autodiff.minibatch_gd(X, y, batch_size=32, lr=0.1, epochs=2)
    np.testing.assert_allclose(run.get_ydata(), expected.loss)
    np.testing.assert_allclose(run.get_xdata(), expected.epoch)
    assert len(full.get_ydata()) == 3  # two full-batch steps and the start
    bigger = widgets.gradient_descent_figure(lr=1.0, batch_size=0, epochs=2).axes[0].get_lines()[0]
    assert len(bigger.get_ydata()) == 3 and bigger.get_ydata()[-1] < run.get_ydata()[0]
    plt.close("all")
