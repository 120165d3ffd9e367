"""The documents name menu items as the menus read them, and Help's dialog as its item.

The guide said "View > Fit" and "Restore original" where the menus read "Fit to Window" and
"Use Original (undo simulation)"; the Help dialog was titled "Mouse and keys".
"""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _paths(window) -> list[str]:
    """Every menu item as a path without mnemonics, e.g. ``"View > Fit to Window"``."""
    paths, held = [], []  # the actions held: PySide lets go of the menu of one it does not
    stack = [("", window.menuBar())]
    while stack:
        prefix, menu = stack.pop()
        for action in menu.actions():
            path = prefix + action.text().replace("&", "")
            paths.append(path)
            if action.menu() is not None:
                held.append(action)
                stack.append((f"{path} > ", action.menu()))
    return sorted(paths, key=len, reverse=True)


def test_every_menu_path_in_the_documents_is_a_menu_item(window):
    paths = _paths(window)
    for document in DOCUMENTS:
        text = " ".join(document.read_text(encoding="utf-8").split())
        for found in re.finditer(r"\b(File|Image|View|Help) > ", text):
            rest = text[found.start() :]
            assert any(
                rest.startswith(path) and not rest[len(path) : len(path) + 1].isalnum()
                for path in paths
            ), f"{document.name}: {rest[:60]!r}"
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    assert "Restore original" not in guide


def test_the_help_dialog_is_titled_as_its_menu_item(window):
    assert window.show_help().windowTitle() == "Mouse and Keys"
    assert "Help > Mouse and Keys" in _paths(window)
