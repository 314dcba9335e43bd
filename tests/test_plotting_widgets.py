import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from dlcourse import activations as A  # noqa: E402
from dlcourse import data, diagnostics, models, plotting, training, widgets  # noqa: E402


def line_data(fig):
    return [np.asarray(line.get_ydata()) for ax in fig.axes for line in ax.get_lines()]


@pytest.mark.parametrize("name", A.activation_names())
def test_plot_activation_draws_function_and_derivative(name):
    fig = plotting.plot_activation(name)
    y, dy = line_data(fig)[:2]
    x = torch.linspace(-5, 5, 801, dtype=torch.float64)
    ref_y, ref_dy = A.evaluate(name, x)
    np.testing.assert_allclose(y, ref_y.numpy())
    np.testing.assert_allclose(dy, ref_dy.numpy())
    plt.close(fig)


def test_activation_explorer_figure_changes_with_its_controls():
    base = line_data(widgets.activation_figure("leaky_relu", 0.1))
    other = line_data(widgets.activation_figure("leaky_relu", 0.5))
    elu = line_data(widgets.activation_figure("elu", 0.1))
    assert not np.allclose(base[0], other[0]) and not np.allclose(base[0], elu[0])
    assert np.isfinite(line_data(widgets.activation_figure("softplus", 0.0))[0]).all()
    plt.close("all")


def test_activation_explorer_widget_calls_the_plot_function():
    w = widgets.activation_explorer()
    assert [c.description for c in w.children[:2]] == ["activation", "α / slope / β"]
    w.children[0].value = "tanh"
    w.children[1].value = 0.5
    w.update()
    plt.close("all")


def test_decision_boundary_history_and_histograms_render():
    d = data.make_moons(100, seed=0)
    m = models.make_mlp(2, 2, depth=2, width=8)
    h = training.fit(m, d.train, d.val, epochs=2, progress=False)
    fig = plotting.plot_decision_boundary(m, d.X_train, d.y_train, title="t")
    assert fig.axes[0].get_title() == "t"
    fig2 = plotting.plot_history(h)
    assert len(fig2.axes[0].get_lines()) == 2
    recs = diagnostics.record_layers(m, d.X_train, d.y_train)
    fig3 = plotting.plot_layer_histograms(recs, which="grad")
    assert len(fig3.axes) == 2
    with pytest.raises(ValueError, match="which must be"):
        plotting.plot_layer_histograms(recs, which="weights")
    with pytest.raises(ValueError, match="X must have 2 features"):
        plotting.plot_decision_boundary(m, torch.zeros(3, 4), torch.zeros(3))
    fig4 = plotting.image_grid(torch.rand(5, 1, 8, 8), titles=list("abcde"), ncols=3)
    assert sum(ax.get_visible() for ax in fig4.axes) == 5
    plt.close("all")


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


def test_gradient_descent_explorer_widget_calls_the_plot_function():
    w = widgets.gradient_descent_explorer()
    assert [c.description for c in w.children[:2]] == ["learning rate", "batch size"]
    w.children[0].value = 0.5
    w.children[1].value = 128
    w.update()
    plt.close("all")


def test_training_loop_map_names_every_choice_and_step():
    fig = plotting.plot_training_loop()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for letter, what, chapter in plotting.STRATEGY_CHOICES:
        assert f"{letter}: {what}" in texts and chapter in texts
    assert all(step.split("\n")[0] in texts for step in plotting.STRATEGY_STEPS)
    assert "return the M with the best P" in texts
    plt.close(fig)
