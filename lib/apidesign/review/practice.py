"""Interview practice around the reviewer: prompts with hidden model designs, a live review box, the checklist.

The pure parts (``report``, ``reveal_html``) return text; the panels only wire
ipywidgets to them, and each one first shows its default state as a plain output,
so the notebook reads the same on GitHub as in JupyterLab.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from ..paths import DATA
from . import DesignParseError, as_markdown, review, summary
from .findings import as_html
from .checklist import checklist_markdown, load_checklist

DESIGNS = DATA / "designs"
PRACTICE = DESIGNS / "practice"


@dataclass(frozen=True)
class Prompt:
    """One practice question: what to design, its core flows, a hint, and where its model design is kept."""

    id: str
    title: str
    prompt: str
    hint: str
    flows: tuple[str, ...] = ()

    @property
    def model_path(self) -> Path:
        return PRACTICE / f"{self.id}.md"


def load_prompts() -> tuple[Prompt, ...]:
    """The practice prompts of ``data/designs/practice/prompts.json``."""
    items = json.loads((PRACTICE / "prompts.json").read_text(encoding="utf-8"))
    return tuple(Prompt(**{**item, "flows": tuple(item.get("flows", ()))}) for item in items)


def report(text: str) -> str:
    """The review of a markdown design as markdown: a one-line summary and the findings table."""
    try:
        findings = review(text)
    except DesignParseError as exc:
        return f"**Cannot read this design:** {exc}"
    return f"**Review:** {summary(findings)}\n\n{as_markdown(findings)}"


def reveal_html(prompt: Prompt) -> str:
    """A collapsed ``<details>`` block holding the model design and its review summary."""
    text = prompt.model_path.read_text(encoding="utf-8")
    verdict = summary(review(text, flows=prompt.flows))
    return (f"<details><summary><b>Model design: {html.escape(prompt.title)}</b> (click to reveal)</summary>"
            f"<pre>{html.escape(text)}</pre><p>The reviewer on this model: {verdict}.</p></details>")


def report_html(text: str) -> str:
    """``report`` as HTML, for the live widget."""
    try:
        findings = review(text)
    except DesignParseError as exc:
        return f"<p><b>Cannot read this design:</b> {html.escape(str(exc))}</p>"
    return f"<p><b>Review:</b> {summary(findings)}</p>{as_html(findings)}"


def static_note(text: str):
    """A plain HTML line shown before a widget: what a static page (GitHub, the HTML export) shows in its place."""
    from IPython.display import HTML, display

    display(HTML(f"<p><i>{html.escape(text)}</i></p>"))


def review_panel(text: str, rows: int = 18):
    """A text area holding a design and the review below it, redone on every edit."""
    import ipywidgets as w

    if not isinstance(text, str):
        return w.HTML(f"<p>review_panel needs the design as markdown text (a string), not "
                      f"{html.escape(type(text).__name__)} {html.escape(repr(text)[:40])}: e.g. "
                      f"<code>review_panel(flawed_text)</code>.</p>")
    static_note("Live box: an editable copy of this design with its review below, redone on every edit "
                "(it needs a running kernel; a static page shows only this line).")
    area = w.Textarea(value=text, rows=rows, layout=w.Layout(width="100%"))
    result = w.HTML(report_html(text))
    area.observe(lambda change: setattr(result, "value", report_html(change["new"])), names="value")
    return w.VBox([area, result])


def checklist_panel(items=None):
    """One checkbox per checklist item with a link to its chapter, and a running count."""
    import ipywidgets as w

    items = items if items is not None else load_checklist()
    static_note(f"Live checklist: {len(items)} checkboxes with a running count (it needs a running kernel; "
                "a static page shows only this line).")
    boxes = [w.Checkbox(value=False, description=i.text + (" (added by the course)" if i.added else ""), indent=False,
                        layout=w.Layout(width="auto"))
             for i in items]
    links = [w.HTML(f'<a href="{i.link}">{i.notebook}</a>') for i in items]
    count = w.HTML()

    def recount(_=None):
        count.value = f"<b>{sum(b.value for b in boxes)} of {len(boxes)} done</b>"

    for b in boxes:
        b.observe(recount, names="value")
    recount()
    return w.VBox([w.HBox([b, link]) for b, link in zip(boxes, links)] + [count])


__all__ = ["Prompt", "load_prompts", "report", "report_html", "reveal_html", "review_panel", "checklist_panel",
           "checklist_markdown"]
