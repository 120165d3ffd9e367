"""Help > Mouse and Keys scrolls in a dialog no taller than the screen; hints quote menus.

Help was a message box taller than a 1024 x 600 screen, its Close button off-screen; the
metrics panel's hint named "Image > Simulate low dose" where the menu reads "Simulate Low
Dose...". The status bar gave the pixel spacing rows x columns after a size in columns x
rows, as if it were the image's size.
"""

import re

import numpy as np
import pytest
from PySide6.QtWidgets import QDialogButtonBox, QTextBrowser

from core.image import StoredMapping, Window, XrayImage
from xraygui.main_window import HELP_TEXT, size_text

pytestmark = pytest.mark.gui


def test_help_scrolls_in_a_dialog_that_fits_the_screen(window):
    dialog = window.show_help()
    browser = dialog.findChild(QTextBrowser)
    assert dialog.windowTitle() == "Mouse and Keys"
    assert browser is not None and "window presets" in browser.toPlainText()
    assert "<table>" in HELP_TEXT
    room = window.screen().availableGeometry().height()
    assert dialog.height() <= dialog.maximumHeight() <= room
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons.button(QDialogButtonBox.StandardButton.Close) is not None
    assert window.show_help() is dialog  # shown again, not made twice


def _menu_paths(window) -> set[str]:
    paths = set()
    for top in window.menuBar().actions():
        for action in top.menu().actions():
            paths.add(f"{top.text()} > {action.text()}".replace("&", ""))
    return paths


def test_the_metrics_hint_quotes_the_menu_items_as_they_read(window):
    hint = window.metrics.hint.text()
    quoted = re.findall(r"\b(?:File|Image|View|Help) > [^,]+?\.\.\.", hint)
    assert len(quoted) == 2 and set(quoted) <= _menu_paths(window), quoted


def _image(**changes) -> XrayImage:
    return XrayImage(
        pixels=np.zeros((30, 40), np.float32),
        mapping=StoredMapping(bits_stored=12),
        window=Window(center=100.0, width=11.0),
        photometric="MONOCHROME2",
        **changes,
    )


def test_the_status_bar_gives_size_and_pixel_size_in_columns_x_rows(window, small_dicom):
    assert size_text(_image(pixel_spacing=(0.1, 0.2))) == "40 x 30 px, pixel 0.2 x 0.1 mm"
    assert size_text(_image()) == "40 x 30 px, pixel size unknown"
    window.open_file(small_dicom)
    assert window.size_label.text().startswith(size_text(window.image) + " | MONOCHROME")
