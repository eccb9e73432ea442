"""Build a short reveal.js deck for every notebook, into one folder.

    python tools/slides.py site/slides

A deck is for presenting to a class, so it shows results, not the notebook's working:

* a title slide and the learning goals;
* for each section (a ``##`` heading), its results, one to a slide: every figure, every cell an
  author tagged ``slides``, with the sentence that introduced the cell as the slide's caption
  (the notebook's habit is one sentence saying what to look for); code is hidden unless the cell
  is also tagged ``slides-code``;
* the recap, split so that each slide holds a few talking points.

Sections with no result (setup, the import cell, stopping the server) leave no empty slide.
Nothing overflows a 1280x720 slide: long text and tables are cut with a note of what was left
out, and figures are scaled to fit (the browser lane measures every slide). reveal.js is
installed from npm into build/ once and copied beside the slides, so presenting needs no network.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "templates"
REVEAL_VERSION = "5.2.1"
REVEAL_CACHE = ROOT / "build" / "reveal"

SKIPPED_SECTIONS = ("learning goals", "the one import cell", "setup", "inventory of concepts", "exercises",
                    "sources", "stop the server", "recap")
MAX_TEXT_LINES = 12  # of printed output on one slide
MAX_TABLE_ROWS = 8
MAX_BULLETS = 4  # talking points per recap slide
MAX_CAPTION = 200  # characters


def reveal_dist() -> Path:
    """A local reveal.js package (npm, once), so the slides never load it from a CDN."""
    package = REVEAL_CACHE / "node_modules" / "reveal.js"
    if not (package / "dist" / "reveal.js").exists():
        REVEAL_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(REVEAL_CACHE),
                        f"reveal.js@{REVEAL_VERSION}"], check=True)
    return package


# -- reading a notebook -------------------------------------------------------------------------

def heading(cell) -> tuple[int, str] | None:
    """(level, title) when a markdown cell starts with a heading, else None."""
    if cell.cell_type != "markdown":
        return None
    match = re.match(r"(#{1,3})\s+(.*)", cell.source.lstrip())
    return (len(match.group(1)), match.group(2).strip()) if match else None


def sections(nb) -> list[tuple[str, list]]:
    """The notebook as (title, cells) per ``#`` or ``##`` heading; ``###`` stays inside its section."""
    result = []
    for cell in nb.cells:
        level_title = heading(cell)
        if level_title and level_title[0] <= 2:
            result.append((level_title[1], [cell]))
        elif result:
            result[-1][1].append(cell)
    return result


def body_text(markdown: str) -> str:
    """A markdown cell without its heading line."""
    lines = markdown.strip().splitlines()
    return "\n".join(lines[1:] if lines and lines[0].startswith("#") else lines).strip()


def first_sentence(markdown: str) -> str:
    """The first sentence of a markdown cell's prose (its heading dropped), cut to ``MAX_CAPTION``."""
    text = " ".join(body_text(markdown).split())
    match = re.match(r"(.+?[.:!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= MAX_CAPTION else sentence[:MAX_CAPTION].rsplit(" ", 1)[0] + " …"


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def has_figure(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def is_result(cell) -> bool:
    """A cell whose output belongs on a slide: a figure, or a cell the author tagged ``slides``."""
    return cell.cell_type == "code" and (has_figure(cell) or "slides" in tags(cell))


# -- fitting outputs on a slide -----------------------------------------------------------------

def cut_lines(text: str, most: int = MAX_TEXT_LINES) -> str:
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= most:
        return text
    return "\n".join(lines[:most]) + f"\n… ({len(lines) - most} more lines in the notebook)\n"


def cut_table(html: str, most: int = MAX_TABLE_ROWS) -> str:
    """An HTML table with at most ``most`` body rows, and a last row saying how many were left out."""
    rows = re.findall(r"<tr.*?</tr>", html, flags=re.S)
    body = [r for r in rows if "<th" not in r or "<td" in r]
    if len(body) <= most:
        return html
    for row in body[most:]:
        html = html.replace(row, "", 1)
    return html.replace("</tbody>", f'<tr><td colspan="99">… {len(body) - most} more rows in the notebook</td></tr>'
                        "</tbody>", 1)


def slide_outputs(cell) -> list:
    """The outputs of a result cell, fitted to a slide: figures as they are, text and tables cut."""
    kept = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if output.get("output_type") == "stream":
            kept.append(new_output("stream", name=output.get("name", "stdout"), text=cut_lines(output["text"])))
        elif "image/png" in data:
            kept.append(new_output("display_data", data={"image/png": data["image/png"]}))
        elif "<table" in data.get("text/html", ""):
            kept.append(new_output("display_data", data={"text/html": cut_table(data["text/html"])}))
        elif "text/markdown" in data and "slides-code" in tags(cell):
            kept.append(new_output("display_data", data={"text/markdown": data["text/markdown"]}))
        elif data.get("text/plain") and output.get("output_type") == "execute_result" and not has_figure(cell):
            kept.append(new_output("execute_result", data={"text/plain": cut_lines(data["text/plain"])},
                                   execution_count=None))
    return kept


def bullet_groups(markdown: str, most: int = MAX_BULLETS) -> list[str]:
    """Markdown split into chunks of at most ``most`` top-level bullets (paragraphs count as one)."""
    chunks, current = [], []
    for block in re.split(r"\n(?=- |\*\*|\n)", body_text(markdown)):
        if not block.strip():
            continue
        current.append(block.strip())
        if len(current) == most:
            chunks.append("\n".join(current))
            current = []
    if current:
        chunks.append("\n".join(current))
    return chunks


# -- the deck -----------------------------------------------------------------------------------

def slide(markdown: str, kind: str = "slide"):
    return new_markdown_cell(markdown, metadata={"slideshow": {"slide_type": kind}})


def result_slides(title: str, cells: list) -> list:
    """One slide per result in a section: the section's title, a caption, the cell's outputs.

    The caption is the sentence that introduced the cell or, when a heading came straight before
    it, the first sentence of the prose that follows it (which then reads the result).
    """
    made, caption, uncaptioned = [], "", None
    for cell in cells:
        if cell.cell_type == "markdown" and "slides" in tags(cell):
            made.append(slide(cell.source))
        elif cell.cell_type == "markdown" and not heading(cell):
            caption = first_sentence(cell.source)
            if uncaptioned is not None:
                uncaptioned.source += caption
                uncaptioned, caption = None, ""
        elif is_result(cell) and (outputs := slide_outputs(cell)):
            title_slide = slide(f"### {title}\n\n{caption}")
            uncaptioned = None if caption else title_slide
            code = cell.source if "slides-code" in tags(cell) else ""
            made += [title_slide, new_code_cell(code, outputs=outputs, metadata={
                "slideshow": {"slide_type": "-"}, "tags": [] if code else ["hide-input"]})]
            caption = ""
    return made


def deck(nb):
    """The slides of one notebook (a new notebook, with slide metadata; the original is untouched)."""
    cells = []
    for title, body in sections(nb):
        key = title.lower()
        if heading(body[0])[0] == 1:
            cells.append(slide(f"# {title}\n\n{first_sentence(body[0].source)}"))
        elif key in ("learning goals", "recap"):
            for i, chunk in enumerate(bullet_groups("\n\n".join(c.source for c in body if c.cell_type == "markdown"))):
                cells.append(slide(f"## {title}{' (continued)' if i else ''}\n\n{chunk}"))
        elif not key.startswith(SKIPPED_SECTIONS):
            cells += result_slides(title, body)
    return new_notebook(cells=cells, metadata=nb.metadata)


def build(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(reveal_dist(), outdir / "reveal.js", dirs_exist_ok=True)
    exporter = SlidesExporter(template_name="offline-slides", extra_template_basedirs=[str(TEMPLATES)],
                              reveal_url_prefix="reveal.js")
    exporter.register_preprocessor("nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    exporter.config.TagRemovePreprocessor.remove_input_tags = {"hide-input"}
    written = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        body, _ = exporter.from_notebook_node(deck(nbformat.read(path, as_version=4)))
        target = outdir / f"{path.stem}.slides.html"
        target.write_text(body)
        written.append(target)
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site" / "slides"
    for p in build(out):
        print("slides:", p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)
