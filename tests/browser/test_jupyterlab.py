"""Every notebook runs in a real JupyterLab in Chromium: no errors, every widget renders, controls redraw plots.

This is what a learner sees, which nbval (a kernel without a front end) cannot check:
"Error displaying widget" after an install is the classic failure of widget courses.
"""

from __future__ import annotations

import re

import pytest

from apidesign.paths import NOTEBOOKS

from .conftest import SCREENSHOTS

NOTEBOOK_NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
RUN_TIMEOUT_MS = 240_000
OPEN_TIMEOUT_MS = 180_000


def open_notebook(page, lab, name):
    # A workspace of its own, reset: no tabs restored from an earlier test share the page.
    workspace = re.sub(r"\W", "-", name)
    page.goto(f"{lab['url']}/lab/workspaces/{workspace}/tree/notebooks/{name}?reset&token={lab['token']}")
    # Generous: on a loaded 2-core machine JupyterLab's first load and kernel start can take a while.
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=OPEN_TIMEOUT_MS)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=OPEN_TIMEOUT_MS)


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def run_all_cells(page):
    """Clear the committed outputs, run every cell, and wait until every code cell has a fresh number.

    Clearing first matters: the committed prompts already read [1], [2], ..., so without it a run
    that never started would look finished.
    """
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first.click()
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                                  .every(p => !/\\d/.test(p.textContent))""", timeout=30_000)
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(
        """() => { const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                   return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent))
                       && document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']") !== null; }""",
        timeout=RUN_TIMEOUT_MS, polling=500)


def error_texts(page) -> list[str]:
    """Tracebacks and widget failures visible in the notebook."""
    stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    problems = [t[:300] for t in stderr if "Traceback" in t or re.search(r"^\w+Error\b", t, re.M)]
    return problems + [t[:300] for t in page.locator(".jp-OutputArea-output").all_inner_texts()
                       if "Error displaying widget" in t]


def widget_outputs(page):
    return page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.widget-view+json']")


def first_image_src(panel) -> str | None:
    img = panel.locator("img").first
    return img.get_attribute("src") if img.count() else None


def nudge_first_control(panel, page) -> bool:
    """Move the panel's first slider one step (keyboard) or pick another dropdown option; False if none."""
    handle = panel.locator(".noUi-handle").first
    if handle.count():
        handle.focus()
        # One step: one redraw, so the screenshot's readout and plot show the same value.
        page.keyboard.press("ArrowRight")
        return True
    select = panel.locator("select").first
    if select.count():
        options = select.locator("option").all_inner_texts()
        current = select.input_value()
        select.select_option(label=next(o for o in options if o != current))
        return True
    return False


def check_controls_redraw(page, panels_selector=".widget-interact") -> int:
    """Nudge the first control of every interactive panel that shows a plot; return how many redrew."""
    panels = page.locator(panels_selector)
    redrawn = 0
    for i in range(panels.count()):
        panel = panels.nth(i)
        panel.scroll_into_view_if_needed()
        before = first_image_src(panel)
        if before is None or not nudge_first_control(panel, page):
            continue
        page.wait_for_function(
            "([sel, i, before]) => { const img = document.querySelectorAll(sel)[i].querySelector('img');"
            " return img && img.getAttribute('src') !== before; }",
            arg=[panels_selector, i, before], timeout=60_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        redrawn += 1
    return redrawn


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_runs_in_jupyterlab_and_its_widgets_render_and_respond(page, jupyterlab, name):
    open_notebook(page, jupyterlab, name)
    run_all_cells(page)
    assert error_texts(page) == []
    views = widget_outputs(page)
    for i in range(views.count()):
        views.nth(i).scroll_into_view_if_needed()
        assert views.nth(i).locator(".jupyter-widgets").count() > 0, f"widget {i} of {name} did not render"
    panels_with_plots = page.locator(".widget-interact:has(img)").count()
    assert check_controls_redraw(page) == panels_with_plots
    SCREENSHOTS.mkdir(exist_ok=True)
    if views.count():
        views.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name.removesuffix('.ipynb')}.png"))
