"""The static site (``make site``) in Chromium: navigation, code and images render offline, and search works."""

import subprocess
import sys

import pytest

from apidesign.paths import ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, str(ROOT / "tools" / "site.py"), str(out)], check=True, capture_output=True)
    return out


def test_the_sidebar_lists_every_chapter_in_order(page, site):
    page.goto((site / "index.html").as_uri())
    page.wait_for_url("**/00-start-here.html")
    links = page.locator("nav.bd-docs-nav a.reference").all_inner_texts()
    chapters = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert [link[:2] for link in links[:len(chapters)]] == [c[:2] for c in chapters]


@pytest.mark.parametrize("chapter", ["00-start-here", "03-rate-limiting"])
def test_a_chapter_renders_code_and_images_without_the_network(page, site, chapter):
    remote = []
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto((site / f"{chapter}.html").as_uri())
    assert page.locator(".cell_input .highlight").count() > 5
    broken = page.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length")
    assert broken == 0
    assert remote == []


def test_search_finds_a_term_taught_in_a_chapter(page, site):
    page.goto((site / "search.html").as_uri() + "?q=Idempotency-Key")
    page.wait_for_selector("#search-results li", timeout=15_000)
    assert any("04" in t for t in page.locator("#search-results li a").all_inner_texts())
