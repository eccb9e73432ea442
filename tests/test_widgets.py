"""static_then_live: one static figure as the cell output; the live panel starts with that frame and redraws on change."""

import ipywidgets
import matplotlib

matplotlib.use("Agg")

from apidesign.widgets import static_then_live  # noqa: E402


def test_the_panel_does_not_draw_at_construction_but_holds_the_first_frame_and_redraws_on_change():
    import matplotlib.pyplot as plt
    calls = []

    def draw(x=1):
        calls.append(x)
        plt.subplots()[1].plot([0, x])

    panel = static_then_live(draw, x=ipywidgets.IntSlider(value=1, min=0, max=3))
    assert calls == [1], "drawn once, for the static figure; not a second time inside the panel"
    assert len(panel.out.outputs) == 1, "the first frame (a PNG under Jupyter's inline backend) is in the panel's state"
    panel.children[0].value = 2
    assert calls == [1, 2]
    plt.close("all")
