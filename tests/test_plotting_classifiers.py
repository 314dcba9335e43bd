"""dlcourse.plotting.classifiers: the decision boundary (rendered with a training history, layer histograms and an
image grid) and the confusion matrix."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from dlcourse import data, diagnostics, models, plotting, training  # noqa: E402


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
    assert len(fig4.axes[0].images) == 5 and [t.get_text() for t in fig4.axes[0].texts] == list("abcde")
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
