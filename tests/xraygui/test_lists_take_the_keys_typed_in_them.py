"""Keys typed in the Images list or the DICOM tags go to that list where its type-ahead uses them.

The window's one-key shortcuts (I inverts, R shows the Residual pane, the digits are the
window presets, Space plays the steps) step aside while a list or tree has the focus and
one of its rows starts with the keys typed (its type-ahead takes them); other keys stay
the shortcuts, so they work after an image is opened from the Images list, where the
focus stays.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


@pytest.fixture
def images(window, qtbot, tmp_path):
    """The Images list of a folder of alpha, ivory, iris and uranium, with the focus."""
    folder = tmp_path / "folder"
    folder.mkdir()
    for seed, name in enumerate(("alpha", "ivory", "iris", "uranium")):
        pixels = np.random.default_rng(seed).integers(0, 4000, (32, 32)).astype(np.uint16)
        np.save(folder / f"{name}.npy", pixels)
    worker = window.open_folder(folder)
    with qtbot.waitSignal(worker.finished, timeout=20000):
        pass
    tree = window.browser.tree
    tree.expandAll()
    tree.setCurrentItem(tree.topLevelItem(0))
    _focus(window, qtbot, tree)
    return tree


def _new_search(qtbot):
    """Wait until the next key starts a new type-ahead search."""
    qtbot.wait(QApplication.keyboardInputInterval() + 100)


def _focus(window, qtbot, view):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)


def test_letters_a_name_starts_with_find_it_and_trigger_nothing(window, images):
    QTest.keyClick(images, Qt.Key.Key_I)
    assert images.currentItem().text(0).startswith("iris")  # the list's type-ahead had the I
    QTest.keyClick(images, Qt.Key.Key_I)  # the same key again: the next name it starts
    assert images.currentItem().text(0).startswith("ivory")
    assert not window.invert


def test_space_goes_to_the_list_only_where_a_name_goes_on_with_it(window, qtbot, tmp_path):
    folder = tmp_path / "spaced"
    folder.mkdir()
    np.save(folder / "chest 1.npy", np.zeros((32, 32), np.uint16))
    worker = window.open_folder(folder)
    with qtbot.waitSignal(worker.finished, timeout=20000):
        pass
    tree = window.browser.tree
    tree.expandAll()
    tree.setCurrentItem(tree.topLevelItem(0))
    _focus(window, qtbot, tree)
    qtbot.keyClicks(tree, "chest ")
    assert tree.currentItem().text(0).startswith("chest 1")
    assert not window.timeline.play.isChecked()
    _new_search(qtbot)  # no name starts with a space
    QTest.keyClick(tree, Qt.Key.Key_Space)
    assert window.timeline.play.isChecked()


def test_the_view_keys_work_in_the_list_after_opening_an_image_from_it(
    window, qtbot, settle, images
):
    flags = Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchRecursive
    images.setCurrentItem(images.findItems("alpha", flags)[0])
    QTest.keyClick(images, Qt.Key.Key_Return)  # opens alpha; the focus stays in the list
    settle(window)
    assert window.image is not None
    _focus(window, qtbot, images)
    zoom = window.views.panes["before"].view.viewRange()
    for key in (Qt.Key.Key_R, Qt.Key.Key_4, Qt.Key.Key_Equal):  # no name starts with them
        QTest.keyClick(images, key)
    assert window.residual_action.isChecked()
    assert window.window_override is not None
    assert window.views.panes["before"].view.viewRange() != zoom
    _new_search(qtbot)
    QTest.keyClick(images, Qt.Key.Key_I)  # ivory and iris are listed too: the list's
    assert not window.invert


def test_tag_numbers_typed_in_the_dicom_tags_find_the_tag_and_other_keys_stay_shortcuts(
    window, qtbot, settle, small_dicom
):
    window.open_file(small_dicom)
    settle(window)
    window.tags.show()
    tree = window.tags.tree
    _focus(window, qtbot, tree)
    qtbot.keyClicks(tree, "(0010")  # the digits are window presets elsewhere
    assert tree.currentIndex().data() == "(0010,0010)"
    assert window.window_override is None
    QTest.keyClick(tree, Qt.Key.Key_I)  # no tag starts with "(0010i"
    assert window.invert


def test_the_shortcuts_still_work_outside_the_lists(window, qtbot, settle, small_dicom):
    window.open_file(small_dicom)
    settle(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    pane = window.views.panes["before"]
    pane.setFocus()
    QTest.keyClick(pane, Qt.Key.Key_I)
    assert window.invert
