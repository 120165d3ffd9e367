"""Letters and Space typed in the Images list or the DICOM tags go to that list.

The window's one-key shortcuts (I inverts, U shows the Uncertainty pane, Space plays the
steps) step aside while a list or tree has the focus: its type-ahead takes the keys.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

pytestmark = pytest.mark.gui


def _keys_are_the_lists(window, qtbot, view):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    for key in (Qt.Key.Key_I, Qt.Key.Key_U, Qt.Key.Key_Space):
        QTest.keyClick(view, key)
    assert not window.invert
    assert not window.uncertainty_action.isChecked()
    assert not window.timeline.play.isChecked()


def test_typing_in_the_images_list_finds_an_image_and_triggers_nothing(
    window, qtbot, settle, tmp_path
):
    folder = tmp_path / "folder"
    folder.mkdir()
    for seed, name in enumerate(("alpha", "ivory", "uranium")):
        pixels = np.random.default_rng(seed).integers(0, 4000, (32, 32)).astype(np.uint16)
        np.save(folder / f"{name}.npy", pixels)
    worker = window.open_folder(folder)
    with qtbot.waitSignal(worker.finished, timeout=20000):
        pass
    tree = window.browser.tree
    tree.expandAll()
    tree.setCurrentItem(tree.topLevelItem(0))
    _keys_are_the_lists(window, qtbot, tree)
    assert tree.currentItem().text(0).startswith("ivory")  # the list's type-ahead had the I


def test_typing_in_the_dicom_tags_triggers_nothing(window, qtbot, settle, small_dicom):
    window.open_file(small_dicom)
    settle(window)
    window.tags.show()
    _keys_are_the_lists(window, qtbot, window.tags.tree)


def test_the_shortcuts_still_work_outside_the_lists(window, qtbot, settle, small_dicom):
    window.open_file(small_dicom)
    settle(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    pane = window.views.panes["before"]
    pane.setFocus()
    QTest.keyClick(pane, Qt.Key.Key_I)
    assert window.invert
