"""Build reveal.js slides for every notebook, from the cells' slide metadata, into one folder.

    python tools/slides.py site/slides

Slides are short on purpose: only cells whose ``slideshow.slide_type`` is not ``skip`` appear
(``tools/notebooks.py slides`` sets that metadata: headings start slides, cells tagged ``slides``
are shown). reveal.js is installed from npm into build/ once and copied beside the slides, so
presenting needs no network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "templates"
REVEAL_VERSION = "5.2.1"
REVEAL_CACHE = ROOT / "build" / "reveal"


def reveal_dist() -> Path:
    """A local reveal.js package (npm, once), so the slides never load it from a CDN."""
    package = REVEAL_CACHE / "node_modules" / "reveal.js"
    if not (package / "dist" / "reveal.js").exists():
        REVEAL_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(REVEAL_CACHE),
                        f"reveal.js@{REVEAL_VERSION}"], check=True)
    return package


def build(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(reveal_dist(), outdir / "reveal.js", dirs_exist_ok=True)
    exporter = SlidesExporter(template_name="offline-slides", extra_template_basedirs=[str(TEMPLATES)],
                              reveal_url_prefix="reveal.js")
    written = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
        target = outdir / f"{path.stem}.slides.html"
        target.write_text(body)
        written.append(target)
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site" / "slides"
    for p in build(out):
        print("slides:", p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)
