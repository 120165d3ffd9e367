"""A batch's summary stays in the status bar until the next batch or image.

It used to be a status message, which a menu item's hover (its empty status tip) or any
short message wiped for good. Now it is a status-bar label: a message covers it only
while the message shows; opening or denoising another image, or the next batch, clears it.
"""

import pytest
from PySide6.QtWidgets import QMenu

from core.io import write_new_dicom
from core.noise import phantom_image

pytestmark = pytest.mark.gui


def _batch(window, qtbot, tmp_path, name):
    source, target = tmp_path / f"in-{name}", tmp_path / f"out-{name}"
    source.mkdir()
    stored = phantom_image((64, 64), photons_per_pixel=5000.0, seed=1)
    write_new_dicom(stored, source / f"{name}.dcm", bits_stored=12)
    worker = window.start_batch(source, target)
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass
    return target


def _summary(window):
    label = window.batch_label
    return label.text() if label.isVisibleTo(window) else ""


def test_a_menu_hover_and_a_message_leave_the_summary(window, qtbot, tmp_path, small_dicom):
    assert window.open_file(small_dicom)
    target = _batch(window, qtbot, tmp_path, "a")
    summary = _summary(window)
    assert summary.startswith("Batch: 1 of 1 file(s) written") and str(target) in summary
    menu = window.menuBar().findChildren(QMenu)[0]
    menu.popup(window.mapToGlobal(window.rect().center()))
    menu.setActiveAction(menu.actions()[0])  # the pointer passes over File > Open
    qtbot.wait(10)
    menu.close()
    qtbot.wait(10)
    assert _summary(window) == summary
    window.statusBar().showMessage("Window: Default", 3000)
    assert not window.batch_label.isVisible()  # the message covers it while it shows
    window.statusBar().clearMessage()
    assert _summary(window) == summary


def test_the_next_batch_or_image_clears_the_summary(window, qtbot, tmp_path, small_dicom):
    assert window.open_file(small_dicom)
    _batch(window, qtbot, tmp_path, "a")
    second = _batch(window, qtbot, tmp_path, "b")
    assert str(second) in _summary(window)
    assert window.open_file(small_dicom)
    assert _summary(window) == ""
