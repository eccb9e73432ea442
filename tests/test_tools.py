"""The authoring tools: slide metadata rules and the offline static site."""

import importlib.util
from html.parser import HTMLParser

import pytest

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from apidesign.paths import NOTEBOOKS, ROOT

# Links a reader follows on purpose (the standards the course cites); the site loads nothing from them.
REFERENCE_LINKS = ("https://www.rfc-editor.org/", "https://datatracker.ietf.org/", "https://google.aip.dev/")


def load_tool(name):
    spec = importlib.util.spec_from_file_location(f"tool_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nbtools = load_tool("notebooks")


def test_slides_are_headings_plus_tagged_cells_only():
    nb = new_notebook(cells=[new_markdown_cell("# Title"), new_markdown_cell("## Part"), new_markdown_cell("### Sub"),
                             new_markdown_cell("prose"), new_code_cell("x = 1"),
                             new_code_cell("show()", metadata={"tags": ["slides"]})])
    nbtools.mark_slides(nb)
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == [
        "slide", "slide", "subslide", "skip", "skip", "fragment"]


def test_committed_notebooks_carry_slide_metadata_from_the_rule():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        expected = [nbtools.slide_type(c) for c in nb.cells]
        assert [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells] == expected, path.name


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The course built as a static site, once for this module."""
    out = tmp_path_factory.mktemp("site")
    load_tool("site").main(out)
    return out


class Links(HTMLParser):
    """Every href/src of a page, and every id it defines (for #fragment targets)."""

    def __init__(self):
        super().__init__()
        self.targets, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.targets += [attrs[a] for a in ("href", "src") if attrs.get(a)]
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            self.targets.append(attrs["content"].partition("url=")[2])
        if attrs.get("id"):
            self.ids.add(attrs["id"])


def parsed(page):
    links = Links()
    links.feed(page.read_text())
    return links


def test_site_replaces_widgets_with_a_note_and_loads_nothing_remote(site):
    page = (site / "00-start-here.html").read_text()
    assert "static-widget-note" in page
    for page in site.glob("*.html"):
        remote = [t for t in parsed(page).targets if t.startswith(("http:", "https:", "//"))
                  and not t.startswith(REFERENCE_LINKS)]
        assert remote == [], (page.name, remote)


def test_every_internal_link_of_the_site_reaches_a_page_and_its_anchor(site):
    """Crawl from index.html: every link and image on every page reached must resolve, #fragments included."""
    todo, seen, broken = [site / "index.html"], set(), []
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        for target in parsed(page).targets:
            if target.startswith(("http:", "https:", "//", "mailto:", "data:", "javascript:")):
                continue
            path, _, fragment = target.partition("#")
            file = (page.parent / path.partition("?")[0]).resolve() if path else page
            if not file.exists() or (fragment and file.suffix == ".html" and fragment not in parsed(file).ids):
                broken.append((page.name, target))
            elif file.suffix == ".html":
                todo.append(file)
    assert {p.stem for p in seen} >= {p.stem for p in NOTEBOOKS.glob("*.ipynb")} | {"search", "genindex"}
    assert broken == []


def test_every_chapter_page_links_to_the_start_and_to_its_neighbours(site):
    names = [p.stem for p in sorted(NOTEBOOKS.glob("*.ipynb"))]
    for before, name, after in zip([None, *names], names, [*names[1:], None]):
        targets = parsed(site / f"{name}.html").targets
        assert "00-start-here.html" in targets or name == names[0], name
        for neighbour in (before, after):
            assert neighbour is None or f"{neighbour}.html" in targets, (name, neighbour)


def test_a_deck_shows_results_with_their_captions_and_no_code_or_empty_sections():
    slides = load_tool("slides")
    figure = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    long_text = nbformat.v4.new_output("stream", name="stdout", text="".join(f"line {i}\n" for i in range(40)))
    nb = new_notebook(cells=[
        new_markdown_cell("# 09 · Title\n\nWhat you get: a deck."),
        new_markdown_cell("## Setup"), new_code_cell("import x"),
        new_markdown_cell("## Results"),
        new_markdown_cell("Look at the red line. It climbs."), new_code_cell("plot()", outputs=[figure]),
        new_markdown_cell("The full exchange:"),
        new_code_cell("print_exchange()", outputs=[long_text], metadata={"tags": ["slides"]}),
        new_code_cell("helper()"),
        new_markdown_cell("## Recap\n\n- one\n- two\n- three\n- four\n- five"),
    ])
    deck = slides.deck(nb)
    text = [c.source for c in deck.cells]
    assert text[0].startswith("# 09 · Title") and not any("Setup" in t for t in text)
    assert "### Results\n\nLook at the red line." in text
    code = [c for c in deck.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ["", ""] and all("hide-input" in c.metadata["tags"] for c in code)
    assert "(28 more lines in the notebook)" in code[1].outputs[0].text
    assert [t.count("\n- ") + t.startswith("- ") for t in text if t.startswith("## Recap")] == [4, 1]


def test_exercise_cells_are_checks_on_the_exercise_module_not_any_check_function():
    assert nbtools.is_exercise(new_code_cell("answer = ...\nexercises.check_routes(answer)"))
    assert nbtools.is_exercise(new_code_cell("status_codes = ...\nex.check_status_codes(status_codes)"))
    assert nbtools.is_exercise(new_code_cell("design = ...", metadata={"tags": ["exercise"]}))
    assert not nbtools.is_exercise(new_code_cell("show(jwt.claims.check_audience)"))
    assert not nbtools.is_exercise(new_code_cell("jwt.claims.check_times(payload, now, 0)"))
    assert not nbtools.is_exercise(new_markdown_cell("Call `exercises.check_routes(answer)`."))


def test_every_committed_exercise_cell_is_found_and_holds_a_placeholder():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = [c for c in nbformat.read(path, as_version=4).cells if nbtools.is_exercise(c)]
        assert cells, path.name
        for cell in cells:
            assert "..." in cell.source, (path.name, cell.source)


def test_reset_puts_answers_back_from_the_notebook_itself_without_git(tmp_path):
    """A zip download has no .git, and a student may have committed their answers: neither matters."""
    shipped = new_notebook(cells=[new_markdown_cell("intro"), new_code_cell("show(jwt.claims.check_audience)"),
                                  new_code_cell('print("the cases")\nanswer = ...  # a dict\nexercises.check_routes(answer)')])
    nbtools.mark_placeholders(shipped)
    path = tmp_path / "nb.ipynb"
    worked = nbformat.from_dict(shipped)
    worked.cells[1].source = "show(jwt.claims.check_audience)  # my note"
    worked.cells[2].source = "answer = {'x': 1}\nexercises.check_routes(answer)"
    worked.cells.append(new_code_cell("my_own = 1"))
    nbformat.write(worked, path)
    nbtools.reset(path)
    after = nbformat.read(path, as_version=4)
    assert after.cells[1].source.endswith("# my note") and after.cells[3].source == "my_own = 1"
    assert after.cells[2].source == 'print("the cases")\nanswer = ...  # a dict\nexercises.check_routes(answer)'
    assert not (tmp_path / ".git").exists()


def test_a_cell_without_a_kept_placeholder_is_rebuilt_from_its_check_call():
    cell = new_code_cell("def allowed(times):\n    return [True] * len(times)\n\nexercises.check_token_bucket(allowed)")
    assert nbtools.placeholder(cell) == "allowed = ...\nexercises.check_token_bucket(allowed)"
    two = new_code_cell("status, location = 201, '/v1/x'\nexercises.check_create_response(status, location)")
    assert nbtools.placeholder(two) == "status = ...\nlocation = ...\nexercises.check_create_response(status, location)"


def test_every_committed_exercise_cell_keeps_its_placeholder_and_is_at_it():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if nbtools.is_exercise(cell):
                assert cell.metadata.get("exercise", {}).get("placeholder") == cell.source, (path.name, cell.source)

def test_the_python_too_old_message_says_how_to_get_3_12_where_apt_has_none(tmp_path):
    import subprocess
    import sys
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\necho 3 10\n")  # any python that answers with an old version
    old.chmod(0o755)
    from apidesign.paths import ROOT
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "venv.py"), "--python", str(old), str(tmp_path / "v"),
                          "requirements.txt"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode != 0
    message = run.stderr
    assert "uv python install 3.12" in message and "make lab PYTHON=$(uv python find 3.12)" in message
    assert "deadsnakes" in message and "is 3.10" in message


def test_a_caption_ends_at_the_sentence_not_inside_a_parenthesis_or_an_abbreviation():
    slides = load_tool("slides")
    assert slides.first_sentence("Requests against the interval (one export alone is luck: six are averaged). "
                                 "Then more.") == "Requests against the interval (one export alone is luck: six are averaged)."
    assert slides.first_sentence("Use a key, e.g. `a.b: c`. Then more.") == "Use a key, e.g. `a.b: c`."
    assert slides.first_sentence("The client polls the operation:") == "The client polls the operation:"
    assert slides.first_sentence("Step 4: the client trades the code. Note the header.") == \
        "Step 4: the client trades the code."  # a label's colon ends no sentence
    lead = ("The N+1 problem, counted in SQL statements, for the same query run with resolvers that each fetch their "
            "own data and with DataLoaders")
    assert slides.first_sentence(lead + " (the query alone: " + "x " * 60 + ").") == lead + " …"


def test_the_recap_deck_names_the_terms_and_cuts_each_talking_point_to_one_sentence():
    slides = load_tool("slides")
    recap = new_markdown_cell(
        "## Recap\n\n**Terms.** *Keep-alive*: reuse (an encoder *may* send `If-None-Match: *`). *GCRA* (a meter), "
        "*RateLimit-Policy* / *RateLimit* (draft), *hot key*.\n\n**Interview talking points.**\n\n"
        '- "I\'d use WebSockets: the server pushes. Polling adds latency."\n'
        "- **Keying.** The principal or API key; else the address. Behind a proxy, its entry.\n\n"
        "Next: `04`, where the store remembers responses. Really.")
    text = [c.source for c in slides.recap_slides("Recap", recap)]
    assert text[0].splitlines()[2] == ("**Terms** (defined in the notebook's recap): "
                                       "Keep-alive · GCRA · RateLimit-Policy · RateLimit · hot key.")
    assert '- "I\'d use WebSockets: the server pushes. …"' in text[0]
    assert "- **Keying.** The principal or API key; else the address. …" in text[0]
    assert "talking points" not in "".join(text)
    assert text[0].endswith(". …\n\nNext: `04`, where the store remembers responses. Really.")  # whole, and no bullet's
    assert "…\"\n- **Keying.**" in text[0]  # bullets stay one list


def test_a_slide_table_drops_a_row_counting_index_and_aligns_words_left():
    import pandas as pd
    slides = load_tool("slides")
    html = pd.DataFrame({"strategy": ["poll every 1 s", "callback"], "requests": [6, 1],
                         "late": ["0.7 s", "0.0 s"]}).to_html()
    fitted = slides.fit_table(html)
    assert "<th>0</th>" not in fitted and "<th>1</th>" not in fitted
    assert fitted.count('style="text-align: left"') == 3 and fitted.count('style="text-align: right"') == 6
    named = pd.DataFrame({"requests": [6, 1], "what": ["a b", "c d"]},
                         index=pd.Index(["REST", "GraphQL"], name="how")).to_html()
    fitted = slides.fit_table(named)
    assert "<th>REST</th>" in fitted and fitted.count("<tr>") == 3  # a meaningful index stays, its name in the corner
    assert '<th>how</th>\n<th style="text-align: right">requests</th>\n<th style="text-align: left">what</th>' in fitted
    many = pd.DataFrame({"n": range(20)}).to_html()
    assert "12 more rows in the notebook" in slides.fit_table(many)


def test_the_goals_slide_holds_the_goals_cell_only():
    slides = load_tool("slides")
    nb = new_notebook(cells=[new_markdown_cell("# 09 · Title\n\n**What you get:** a deck: slides, and more.\n\nRunning time."),
                             new_markdown_cell("## Learning goals\n\n1. one\n2. two"),
                             new_markdown_cell("Everything below uses only these names.")])
    text = [c.source for c in slides.deck(nb).cells]
    assert text == ["# 09 · Title\n\n**What you get:** a deck: slides, and more.", "## Learning goals\n\n1. one\n2. two"]


def test_a_sub_heading_captions_what_follows_it_and_a_bold_lead_in_is_one_sentence():
    slides = load_tool("slides")
    result = nbformat.v4.new_output("stream", name="stdout", text="401\n")
    cells = [new_markdown_cell("Alice puts Bob back. Then more."),
             new_code_cell("put()", outputs=[result], metadata={"tags": ["slides"]}),
             new_markdown_cell("### Two writers\n\n`PUT` is idempotent, but two writers still overwrite each other:"),
             new_code_cell("race()", outputs=[result], metadata={"tags": ["slides"]}),
             new_markdown_cell("### Attacks\n\n**Attack 1: `alg: none`.** A token with no signature."),
             new_code_cell("attack()", outputs=[result], metadata={"tags": ["slides"]})]
    captions = [c.source for c in slides.result_slides("Methods", cells) if c.cell_type == "markdown"]
    assert captions == ["### Methods\n\nAlice puts Bob back.",
                        "### Methods\n\n`PUT` is idempotent, but two writers still overwrite each other:",
                        "### Methods\n\n**Attack 1: `alg: none`.**"]


def test_a_talking_point_cut_for_length_keeps_its_closing_quote():
    slides = load_tool("slides")
    point = slides.talking_point('- "' + "word " * 80 + 'end."')
    assert point.endswith('…"') and point.count('"') == 2
