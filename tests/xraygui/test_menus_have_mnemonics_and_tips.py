"""Every menu item has its own mnemonic, a tip in the status bar and a tooltip without '&'.

Two items of a menu with one mnemonic (View's &Invert and Zoom &In) made Alt+I pick
neither at once; a tooltip showed the raw '&'; the panel's main controls and the
timeline had no tooltip.
"""

import re
from collections import Counter

import pytest
from PySide6.QtGui import QAction

pytestmark = pytest.mark.gui


def _mnemonic(text: str) -> str | None:
    found = re.search("&([^&])", text)
    return None if found is None else found.group(1).lower()


def _menus(window):
    """Return each menu of the menu bar and its submenus, with its path and its action.

    The action is kept: PySide lets go of the menu of an action it no longer holds.
    """
    found, stack = [], [("", window.menuBar(), None)]
    while stack:
        path, menu, _ = stack.pop()
        for action in menu.actions():
            if action.menu() is not None:
                stack.append((f"{path} > {action.text()}", action.menu(), action))
                found.append(stack[-1])
    return found


def test_each_menu_item_has_a_mnemonic_of_its_own_and_a_status_tip(window):
    assert len(Counter(_mnemonic(a.text()) for a in window.menuBar().actions())) == 4
    for path, menu, _ in _menus(window):
        items = [a for a in menu.actions() if not a.isSeparator()]
        keys = Counter(_mnemonic(a.text()) for a in items)
        assert None not in keys, (path, [a.text() for a in items if _mnemonic(a.text()) is None])
        assert all(count == 1 for count in keys.values()), (path, keys)
        assert all(a.statusTip() for a in items), (path, [a.text() for a in items])


def test_no_tooltip_shows_an_ampersand_and_a_shortcut_is_named(window):
    for action in window.findChildren(QAction):
        assert "&" not in action.toolTip(), action.text()
    assert window.invert_action.toolTip() == "Invert (I)"
    assert window.roi_action.toolTip() == "Region of Interest for Metrics (Ctrl+G)"
    assert window.export_image_action.toolTip() == "Export Denoised Image (Ctrl+E)"


def test_the_main_controls_have_tooltips(window):
    controls, timeline = window.controls, window.timeline
    for widget in (timeline.slider, timeline.mode, controls.sampler, controls.seed):
        assert widget.toolTip()
    assert controls.device.toolTip()
    assert "Ctrl+D" in controls.denoise_button.toolTip()
    assert "Esc" in controls.cancel_button.toolTip()
