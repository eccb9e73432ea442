"""The static site (``make site``) renders offline: images decode and code is highlighted."""

import subprocess
import sys

import pytest

from apidesign.paths import ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, str(ROOT / "tools" / "site.py"), str(out)], check=True, capture_output=True)
    return out


def test_start_page_lists_every_chapter(page, site):
    page.goto((site / "index.html").as_uri())
    links = page.locator("li a").all_inner_texts()
    assert links and links[0].startswith("00")
    assert len(links) == len(list((ROOT / "notebooks").glob("*.ipynb")))


@pytest.mark.parametrize("chapter", ["00-start-here"])
def test_a_chapter_renders_code_and_images_without_the_network(page, site, chapter):
    remote = []
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto((site / f"{chapter}.html").as_uri())
    assert page.locator(".jp-CodeCell .highlight").count() > 5
    broken = page.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length")
    assert broken == 0
    assert remote == []
