"""dlcourse.widgets.base: every explorer, driven through interactive_plot as Jupyter drives it, redraws
when its controls move."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from dlcourse import widgets  # noqa: E402

EXPLORERS = sorted(name for name in dir(widgets) if name.endswith("_explorer"))


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
