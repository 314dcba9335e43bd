import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from dlcourse import activations as A  # noqa: E402
from dlcourse import data, diagnostics, models, plotting, training, widgets  # noqa: E402

EXPLORERS = sorted(name for name in dir(widgets) if name.endswith("_explorer"))


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


def test_training_loop_map_names_every_choice_and_step():
    fig = plotting.plot_training_loop()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for letter, what, chapter in plotting.STRATEGY_CHOICES:
        assert f"{letter}: {what}" in texts and chapter in texts
    assert all(step.split("\n")[0] in texts for step in plotting.STRATEGY_STEPS)
    assert "return the M with the best P" in texts
    plt.close(fig)


def test_augmentation_explorer_figure_changes_with_its_controls():
    images = [a.images[0].get_array() for a in widgets.augmentation_figure("rotation (× 90°)", 0.3).axes if a.images]
    assert len(images) == 3 * 6
    np.testing.assert_allclose(images[0], images[6 * 0])  # first column: the originals
    assert not np.allclose(images[1], images[0])  # an augmented view differs
    none = [a.images[0].get_array() for a in widgets.augmentation_figure("rotation (× 90°)", 0.0).axes if a.images]
    np.testing.assert_allclose(none[1], none[0], atol=1e-5)  # strength 0: views equal the original
    digits = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    fig = widgets.augmentation_figure("cutout (% of side)", 0.5, images=digits, views=3)
    assert sum(1 for a in fig.axes if a.images) == 2 * 4
    with pytest.raises(ValueError, match="transform must be one of"):
        widgets.augmentation_figure("blur")


def test_image_grid_with_a_fixed_value_range_keeps_brightness():
    dark, bright = torch.full((1, 3, 2, 2), 0.2), torch.full((1, 3, 2, 2), 0.8)
    fig = plotting.image_grid(torch.cat([dark, bright]), value_range=(0, 1))
    arrays = [a.images[0].get_array() for a in fig.axes if a.images]
    assert np.allclose(arrays[0], 0.2) and np.allclose(arrays[1], 0.8)


def test_load_photos_shape_and_range():
    photos = data.load_photos(32)
    assert photos.shape == (3, 3, 32, 32) and photos.min() >= 0 and photos.max() <= 1


def _non_default_values(control, count=2):
    """``count`` values a user could pick that differ from the control's default (and each other)."""
    import ipywidgets as ipw

    if hasattr(control, "options"):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        others = [v for v in values if v != control.value]
        return [others[0], others[-1]]
    picks = []
    for fraction in (1 / 3, 2 / 3, 0.1, 0.9, 0.5, 1.0):
        value = control.min + (control.max - control.min) * fraction
        if isinstance(control, ipw.FloatLogSlider):  # its min and max are exponents
            value = control.base**value
        if isinstance(control, ipw.IntSlider):
            value = int(round(value))
        if value != control.value and value not in picks:
            picks.append(value)
    return picks[:count]


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_explorer_redraws_when_its_controls_move(name, monkeypatch):
    """Drive the live widget as Jupyter would: the default, then two other settings of every
    control; every move redraws, and the three settings give three different figures."""
    import io

    import IPython.display
    import ipywidgets as ipw

    drawn = []

    def capture(*objects, **kwargs):
        for obj in objects:
            buffer = io.BytesIO()
            obj.savefig(buffer, format="png")
            drawn.append(buffer.getvalue())

    monkeypatch.setattr(IPython.display, "display", capture)
    explorer = getattr(widgets, name)()
    controls = [c for c in explorer.children if isinstance(c, ipw.ValueWidget) and not isinstance(c, ipw.Output)]
    assert controls and len(drawn) == 1, f"{name}: the explorer must draw its default figure once"
    figures = [drawn[-1]]
    settings = list(zip(*[_non_default_values(c) for c in controls]))
    for setting in settings:
        before = len(drawn)
        for control, value in zip(controls, setting):
            control.value = value  # in Jupyter, each move of a control redraws at once
        assert len(drawn) - before == len(controls), f"{name}: {len(drawn) - before} redraws for {len(controls)} moves"
        figures.append(drawn[-1])
    assert len(set(figures)) == 3, f"{name}: the figure did not change when the controls moved to {settings}"
    plt.close("all")


def test_confusion_matrix_plot_writes_every_count_and_checks_its_input():
    from sklearn.metrics import confusion_matrix as sk_confusion_matrix

    from dlcourse import metrics

    y_true, y_pred = [0, 0, 1, 1, 1, 2, 2, 2, 2], [0, 1, 1, 1, 2, 2, 2, 0, 2]
    matrix = metrics.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(matrix, sk_confusion_matrix(y_true, y_pred))
    for normalize in (False, True):
        fig = plotting.plot_confusion_matrix(matrix, labels=["a", "b", "c"], title="t", normalize=normalize)
        ax = fig.axes[0]
        written = [[None] * 3 for _ in range(3)]
        for text in ax.texts:
            x, y = text.get_position()
            written[int(round(y))][int(round(x))] = int(text.get_text())
        assert written == matrix.tolist()  # row = true class, column = prediction
        assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
        assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
        shown = ax.images[0].get_array()
        expected = matrix / matrix.sum(1, keepdims=True) if normalize else matrix
        np.testing.assert_allclose(np.asarray(shown), expected)
        plt.close(fig)
    plt.close(plotting.plot_confusion_matrix(torch.tensor(matrix)))
    with pytest.raises(TypeError, match="^matrix"):
        plotting.plot_confusion_matrix([[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="^matrix"):
        plotting.plot_confusion_matrix(np.ones((2, 3)))
    with pytest.raises(ValueError, match="^labels"):
        plotting.plot_confusion_matrix(np.ones((2, 2)), labels=["x"])
