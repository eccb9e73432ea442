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
    import functools

    import ipywidgets

    calls = 0

    @functools.wraps(draw)  # keeps draw's signature, which ``interactive`` reads
    def redraw(**values):
        # ``interactive`` draws once while it is built; that first figure would land inside its
        # Output widget under nbclient but in the cell under nbval, so the two runs would disagree.
        # The static figure below already shows the defaults; the panel draws from the first change on.
        nonlocal calls
        calls += 1
        if calls > 1:
            draw(**values)

    panel = ipywidgets.interactive(redraw, **controls)
    draw(**panel.kwargs)  # the controls' initial values
    plt.show()
    return panel
