"""The one pattern every chapter's widget follows: a static default plot, then the live control panel.

The static figure is a normal cell output, so the notebook reads well on GitHub, in
the static site and in slides; the live panel redraws through the same function.
A widget callback only calls the library and draws (pure core, thin shell).
"""

from __future__ import annotations

from typing import Any, Callable

import matplotlib.pyplot as plt


def static_then_live(draw: Callable[..., Any], **controls: Any):
    """Show ``draw(**defaults)`` as a static figure, then return ``interactive(draw, **controls)``.

    ``controls`` are ipywidgets (or ``interact`` abbreviations); each default is the
    widget's initial value. ``draw`` must create its own figure and return nothing.
    """
    import ipywidgets

    first_frame = [True]  # emptied by the first call

    def redraw(**values: Any) -> None:
        # interactive() draws once at construction, inside its Output widget: under nbval (no widget
        # frontend) that frame leaks into the cell's outputs as a second figure. So the panel skips
        # it and its Output widget is handed the static figure through widget state instead.
        if first_frame:
            first_frame.clear()
            return
        draw(**values)

    panel = ipywidgets.interactive(redraw, **controls)
    draw(**panel.kwargs)  # the controls' initial values
    panel.out.append_display_data(plt.gcf())  # widget state only: no cell output
    plt.show()
    return panel
