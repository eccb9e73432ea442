"""apidesign.widgets: one static figure for the defaults, then the panel redraws on every change."""

import ipywidgets
import matplotlib

matplotlib.use("Agg")

from apidesign.widgets import static_then_live  # noqa: E402


def test_static_then_live_draws_the_defaults_once_then_once_per_change():
    calls = []

    def draw(size=1):
        calls.append(size)

    panel = static_then_live(draw, size=ipywidgets.IntSlider(value=4, min=0, max=9))
    assert calls == [4], "one static figure; the panel's own first draw is skipped (it would double under nbval)"
    panel.children[0].value = 7
    assert calls == [4, 7]


def test_the_live_panel_starts_with_the_static_frame_in_its_own_output():
    import matplotlib.pyplot as plt

    def draw(x=1):
        plt.subplots()[1].plot([0, x])

    panel = static_then_live(draw, x=ipywidgets.IntSlider(value=1, min=0, max=3))
    assert len(panel.out.outputs) == 1, "the first frame (a PNG under Jupyter's inline backend) is in the panel's state"
    plt.close("all")
