"""The reveal.js decks (``make slides``) in Chromium: every slide of every deck fits 1280x720."""

import subprocess
import sys

import pytest

from apidesign.paths import NOTEBOOKS, ROOT

DECKS = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
WIDTH, HEIGHT = 1280, 720

# For each slide: its size and that of its content (content can overflow a box that keeps its size).
MEASURE = """() => Reveal.getSlides().map(s => {
  const kids = [...s.querySelectorAll('*')].filter(e => e.getClientRects().length);
  const top = s.getBoundingClientRect().top, left = s.getBoundingClientRect().left;
  const scale = Reveal.getScale();
  const bottom = Math.max(0, ...kids.map(e => (e.getBoundingClientRect().bottom - top) / scale));
  const right = Math.max(0, ...kids.map(e => (e.getBoundingClientRect().right - left) / scale));
  return {text: s.innerText.slice(0, 60), height: Math.max(s.scrollHeight, bottom), width: Math.max(s.scrollWidth, right)};
})"""


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "slides.py"), str(out)], capture_output=True, text=True)
    if result.returncode and "npm" in result.stderr:
        pytest.skip(f"slides lane: reveal.js could not be installed from npm: {result.stderr[-300:]}")
    result.check_returncode()
    return out


@pytest.mark.parametrize("name", DECKS)
def test_every_slide_of_the_deck_fits_a_1280x720_slide(browser, decks, name):
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.goto((decks / f"{name}.slides.html").as_uri())
    page.wait_for_function("typeof Reveal !== 'undefined' && Reveal.isReady()")
    page.wait_for_function("[...document.images].every(i => i.complete)")
    slides = page.evaluate("() => { Reveal.getSlides().forEach(s => s.style.display = 'block'); return 0; }") or \
        page.evaluate(MEASURE)
    page.close()
    assert len(slides) >= 4, f"{name}: a deck of {len(slides)} slides says too little"
    over = [s for s in slides if s["height"] > HEIGHT + 1 or s["width"] > WIDTH + 1]
    assert over == [], f"{name}: {len(over)} slide(s) overflow: {over[:3]}"
