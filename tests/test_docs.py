"""The course's times agree everywhere: each notebook's first cell, the README, the instructor guide and 00's course map."""

import re

import nbformat
import pytest

from apidesign.paths import NOTEBOOKS, ROOT


def notebook_minutes() -> dict[str, int]:
    """{"03": 45, ...} from each notebook's "Running time: about N minutes"."""
    found = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells[:3])
        match = re.search(r"Running time:\**\s*about (\d+) minutes", text)
        assert match, f"{path.name} does not say how long it takes"
        found[path.name[:2]] = int(match.group(1))
    return found


def table_minutes(text: str, pattern: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(pattern, text)}


def test_the_readme_gives_each_notebook_the_time_the_notebook_gives_itself():
    readme = table_minutes((ROOT / "README.md").read_text(), r"\| `(\d\d)-[\w-]+` \|.*?\| (\d+) min \|")
    assert readme == notebook_minutes()


@pytest.mark.skipif(not (ROOT / "notebooks" / "solutions").exists(),
                    reason="the student edition (no solutions folder) leaves the instructor guide out")
def test_the_instructor_guide_plans_the_same_times():
    guide = table_minutes((ROOT / "docs" / "instructor-guide.md").read_text(), r"\| (\d\d) [^|]+\| (\d+) \|")
    assert guide == notebook_minutes()


def test_the_course_map_in_chapter_00_gives_the_same_times():
    nb = nbformat.read(NOTEBOOKS / "00-start-here.ipynb", as_version=4)
    course_map = next(c.source for c in nb.cells if c.source.startswith("## The course map"))
    assert table_minutes(course_map, r"\| `(\d\d)-[\w-]+` \|.*?\| (\d+) min \|") == notebook_minutes()
