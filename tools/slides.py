"""Build a short reveal.js deck for every notebook, into one folder.

    python tools/slides.py site/slides

A deck is for presenting to a class, so it shows results, not the notebook's working:

* a title slide with the notebook's promise ("What you get from this notebook"), and the learning goals;
* for each section (a ``##`` heading), its results, one to a slide: every figure, every cell an
  author tagged ``slides``, with the sentence that introduced the cell as the slide's caption
  (the notebook's habit is one sentence saying what to look for); code is hidden unless the cell
  is also tagged ``slides-code``;
* the recap: its terms named (their definitions stay in the notebook), then its talking points, each cut
  to its bold lead-in and first sentence, a few to a slide.

Sections with no result (setup, the import cell, stopping the server) leave no empty slide.
Nothing overflows a 1280x720 slide: long text and tables are cut with a note of what was left
out, and figures are scaled to fit (the browser lane measures every slide). Tables lose an index
that only counts rows, and columns of words are aligned left (pandas aligns everything right). reveal.js is
installed from npm into build/ once and copied beside the slides, so presenting needs no network.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
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
MAX_POINT = 240  # characters of one talking point on a recap slide
MAX_INTRO = 600  # characters of the title slide's "what you get"


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


def sentence_end(text: str, start: int = 0, colon: bool = True) -> int:
    """Where the sentence starting at ``start`` ends: just past the first ``.``, ``!``, ``?`` (or ``:``) that is
    followed by a space or the end, outside parentheses and `code`, and not the dot of "e.g." or "vs.".

    A colon ends a sentence that introduces what follows ("The client polls the operation:"), not a label of a
    few words ("Step 4:", "The usual claim:") nor one inside a bold lead-in ("**Attack 1: `alg: none`.**").
    """
    depth, in_code, bold = 0, False, False
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "`":
            in_code = not in_code
        elif in_code:
            continue
        elif text.startswith("**", i) and (i == 0 or text[i - 1] != "*"):
            bold = not bold  # a colon inside a bold lead-in ("**Attack 1: `alg: none`.**") ends no sentence
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and (ch in ".!?" or (colon and ch == ":" and not bold and len(text[start:i].split()) >= 4)):
            end = i + 1
            while end < len(text) and text[end] in '*_"':  # the sentence's closing emphasis or quote
                end += 1
            if (end == len(text) or text[end] == " ") and not re.search(r"\b(e\.g|i\.e|vs|etc|cf)\.$", text[:i + 1]):
                return end
    return len(text)


def cut(text: str, most: int) -> str:
    """``text`` whole if it is at most ``most`` characters, else cut with " …" where a clause ends (before a
    parenthesis, a comma or a semicolon) or, failing that, at a space."""
    if len(text) <= most:
        return text
    clause = max(text.rfind(mark, 0, most) for mark in (" (", ", ", "; "))
    return (text[:clause] if clause > most // 2 else text[:most].rsplit(" ", 1)[0]) + " …"


def first_sentence(markdown: str, most: int = MAX_CAPTION) -> str:
    """The first sentence of a markdown cell's prose (its heading dropped), cut to ``most`` characters."""
    text = " ".join(body_text(markdown).split()).removeprefix("- ")
    return cut(text[:sentence_end(text)], most)


def first_paragraph(markdown: str, most: int = MAX_INTRO) -> str:
    """The first paragraph of a markdown cell's prose (its heading dropped): a title slide's promise."""
    return cut(" ".join(body_text(markdown).split("\n\n")[0].split()), most)


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


NUMBER = re.compile(r"[-+−]?[\d,]*\.?\d+(e[-+]?\d+)?\s*(%|x|×|s|ms|µs|B|KB|MB)?|nan|inf|-|")


def fit_table(html: str, most: int = MAX_TABLE_ROWS) -> str:
    """A pandas HTML table made for a slide: at most ``most`` body rows (and a row saying how many were left out),
    no index column when the index only counts rows (0, 1, 2, ...), and columns of words aligned left."""
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table")
    body = table.find("tbody").find_all("tr", recursive=False) if table.find("tbody") else []
    head = table.find("thead").find_all("tr", recursive=False) if table.find("thead") else []
    if len(body) > most:
        for row in body[most:]:
            row.decompose()
        note = soup.new_tag("tr")
        cell = soup.new_tag("td", colspan="99")
        cell.string = f"… {len(body) - most} more rows in the notebook"
        note.append(cell)
        table.find("tbody").append(note)
        body = body[:most]
    labels = [row.find("th", recursive=False) for row in body]
    if body and all(th is not None for th in labels) and [th.get_text() for th in labels] == [str(i) for i in range(len(labels))]:
        for th in labels:  # a RangeIndex says nothing on a slide
            th.decompose()
        for row in head:
            first = row.find("th", recursive=False)
            if first is not None and not first.get_text(strip=True):
                first.decompose()
    for row in head:
        row.attrs.pop("style", None)  # pandas right-aligns every header
    if len(head) == 2:  # pandas puts a named index's name on a row of its own: move it into the empty corner
        names, corner = head[1].find_all("th", recursive=False), head[0].find("th", recursive=False)
        if names and not any(th.get_text(strip=True) for th in names[1:]) and corner is not None \
                and not corner.get_text(strip=True):
            corner.string = names[0].get_text()
            head[1].decompose()
            head = head[:1]
    columns = list(zip(*[row.find_all("td", recursive=False) for row in body]))
    aligns = ["right" if all(NUMBER.fullmatch(td.get_text(strip=True)) for td in column) else "left"
              for column in columns]
    headers = head[-1].find_all("th", recursive=False)[-len(aligns):] if head and aligns else []  # the leaf labels
    for align, header, column in zip(aligns, headers or [None] * len(aligns), columns):
        for cell in ([header] if header is not None else []) + list(column):
            cell["style"] = f"text-align: {align}"
    return str(soup)


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
            kept.append(new_output("display_data", data={"text/html": fit_table(data["text/html"])}))
        elif "text/markdown" in data and "slides-code" in tags(cell):
            kept.append(new_output("display_data", data={"text/markdown": data["text/markdown"]}))
        elif data.get("text/plain") and output.get("output_type") == "execute_result" and not has_figure(cell):
            kept.append(new_output("execute_result", data={"text/plain": cut_lines(data["text/plain"])},
                                   execution_count=None))
    return kept


def blocks(markdown: str) -> list[str]:
    """A markdown cell's prose (heading dropped) as its top-level bullets and paragraphs, each on one line."""
    return [" ".join(block.split()) for block in re.split(r"\n(?=- |\*\*|\n)", body_text(markdown)) if block.strip()]


def groups(items: list[str], most: int = MAX_BULLETS) -> list[str]:
    """``items`` as markdown chunks of at most ``most`` each (a paragraph counts as one, and is set apart from a
    bullet by a blank line, or markdown would read it as the bullet's last words)."""
    chunks = []
    for i in range(0, len(items), most):
        chunk = items[i:i + most]
        chunks.append(chunk[0] + "".join(("\n" if item.startswith("- ") and before.startswith("- ") else "\n\n") + item
                                         for before, item in zip(chunk, chunk[1:])))
    return chunks


def talking_point(block: str) -> str:
    """A recap bullet or paragraph cut to what a presenter says: its bold lead-in, if any, and one sentence."""
    bullet = block.startswith("- ")
    text = block[2:] if bullet else block
    lead = re.match(r"\*\*.+?\*\*\s*", text)
    end = sentence_end(text, lead.end() if lead else 0, colon=False)
    point = cut(text[:end], MAX_POINT)
    if end < len(text) and not point.endswith("…"):
        point += " …"
    if point.count('"') % 2:  # a quoted talking point cut short keeps its closing quote
        point += '"'
    return ("- " if bullet else "") + point


def terms(block: str) -> str:
    """The recap's **Terms.** paragraph as the list of its terms (their definitions stay in the notebook).

    A term is in italics and followed by its definition (``*Keep-alive*: ...``, ``*GCRA* (...)``) or by the next
    term; an italic word inside a definition ("an encoder *may* send") is emphasis, not a term.
    """
    spans = re.findall(r"`[^`]*`", block)  # an asterisk in code (`If-None-Match: *`) is not emphasis
    numbered = iter(range(len(spans)))
    masked = re.sub(r"`[^`]*`", lambda _: f"\0{next(numbered)}\0", block)
    names = [re.sub(r"\0(\d+)\0", lambda m: spans[int(m.group(1))], name)
             for name in re.findall(r"(?<![*\w])\*([^*]+)\*(?=:| \(| /|,|\.|$)", masked)]
    return "**Terms** (defined in the notebook's recap): " + " · ".join(names) + "."


def recap_slides(title: str, cell) -> list:
    """The recap as slides a class can read: the terms named, then the talking points a few at a time."""
    points = []
    for block in blocks(cell.source):
        if block.startswith("**Terms"):
            points.insert(0, terms(block))
        elif block.startswith(("- ", "**")) and not re.fullmatch(r"\*\*Interview talking points\.?\*\*", block):
            points.append(talking_point(block))
        elif not block.startswith("**"):  # a closing line ("Next: ...") stays whole
            points.append(block)
    return [slide(f"## {title}{' (continued)' if i else ''}\n\n{chunk}") for i, chunk in enumerate(groups(points))]


# -- the deck -----------------------------------------------------------------------------------

def slide(markdown: str, kind: str = "slide"):
    return new_markdown_cell(markdown, metadata={"slideshow": {"slide_type": kind}})


def result_slides(title: str, cells: list) -> list:
    """One slide per result in a section: the section's title, a caption, the cell's outputs.

    The caption is the sentence that introduced the cell (the first of its markdown cell, which may be
    the section's heading cell) or, when a bare heading came straight before it, the first sentence of
    the prose that follows it (which then reads the result). A leading "- " is dropped: a caption is not a list.
    """
    made, caption, uncaptioned = [], "", None
    for cell in cells:
        if cell.cell_type == "markdown" and "slides" in tags(cell):
            made.append(slide(cell.source))
        elif cell.cell_type == "markdown":
            # a heading starts a new thought: its own prose (or, with none, the prose after the result) captions
            # what follows, never a sentence from before it
            caption = first_sentence(cell.source) if body_text(cell.source) else ""
            if caption and uncaptioned is not None:
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
            cells.append(slide(f"# {title}\n\n{first_paragraph(body[0].source)}"))
        elif key == "learning goals":  # the goals cell only: what follows it in the section is the notebook's working
            cells.append(slide(body[0].source))
        elif key == "recap":
            cells += recap_slides(title, body[0])
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
