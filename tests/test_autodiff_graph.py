"""dlcourse.autodiff.graph: draw_graph draws one box per node and one circle per operation."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dlcourse import autodiff as AD  # noqa: E402
from dlcourse.autodiff import Value  # noqa: E402


def test_draw_graph_draws_one_box_per_node_and_one_circle_per_operation():
    x, w, b = Value(1.5, "x"), Value(-0.5, "w"), Value(0.1, "b")
    out = (w * x + b).sigmoid()
    out.backward()
    fig = AD.draw_graph(out)
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    assert len(texts) == 6 + 3  # six values, three operations
    assert {"×", "+", "σ"} <= set(texts)
    assert any(t.startswith("w | -0.5") and "grad" in t for t in texts)
    plt.close(fig)
    fig, ax = plt.subplots()
    assert AD.draw_graph(Value(1.0), ax=ax, show_grad=False) is fig
    plt.close("all")
