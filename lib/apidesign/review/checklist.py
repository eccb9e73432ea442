"""The syllabus's quick-reference checklist, extended by the course (``data/checklist.json``), linked to chapters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..paths import DATA

CHECKLIST_FILE = DATA / "checklist.json"


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to do in the interview, the notebook that teaches it, and the reviewer rules that check it."""

    id: str
    text: str
    notebook: str
    rules: tuple[str, ...]
    added: bool = False  # True for an item the course added to the syllabus's list

    @property
    def link(self) -> str:
        """A relative link to the chapter, as a notebook in ``notebooks/`` sees it."""
        return f"{self.notebook}.ipynb"


def load_checklist(path: Path = CHECKLIST_FILE) -> tuple[ChecklistItem, ...]:
    """The checklist items, in the order of the syllabus, the course's additions among them."""
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(ChecklistItem(i["id"], i["text"], i["notebook"], tuple(i["rules"]), i.get("added", False))
                 for i in items)


def checklist_markdown(items=None, done: frozenset[str] = frozenset()) -> str:
    """The checklist as a markdown task list with a link to each chapter."""
    items = items if items is not None else load_checklist()
    return "\n".join(f"- [{'x' if i.id in done else ' '}] {i.text}{' *(added by the course)*' if i.added else ''} "
                     f"([{i.notebook}]({i.link}))" for i in items)
