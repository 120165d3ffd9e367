"""The window label writes the width and the centre with the same decimals.

Each was written to 5 significant digits: "W 4327.5 C 673.17" in the status bar and the
report's display line. Now whole numbers where the pixel values and the window are
integers, else the same decimals for both.
"""

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from xraygui.main_window import _view_label

pytestmark = pytest.mark.gui


def _image(mapping: StoredMapping) -> XrayImage:
    return XrayImage(np.zeros((8, 8), np.float32), mapping, Window(2048, 4096))


INTEGERS = _image(StoredMapping(bits_stored=12))


@pytest.mark.parametrize(
    ("image", "window", "label"),
    [
        (INTEGERS, Window(673.0, 4328.0), "W 4328 C 673"),
        (INTEGERS, Window(673.17, 4327.5), "W 4327.5 C 673.2"),
        (INTEGERS, Window(673.17, 4328.0), "W 4328.0 C 673.2"),
        (
            _image(StoredMapping(bits_stored=12, slope=0.5)),
            Window(673.0, 4328.0),
            "W 4328.00 C 673.00",
        ),
        (_image(StoredMapping(bits_stored=32, is_float=True)), Window(0.5, 1.0), "W 1.00 C 0.50"),
        (
            _image(StoredMapping(bits_stored=32, is_float=True)),
            Window(0.00615, 0.0123),
            "W 0.0123 C 0.0062",
        ),
    ],
)
def test_width_and_centre_take_the_same_decimals(image, window, label):
    assert _view_label(window, image) == label


def test_the_status_bar_and_the_report_say_the_same(window, small_dicom, tmp_path):
    assert window.open_file(small_dicom)  # 12-bit stored integers
    window.window_override = Window(673.17, 4327.5)
    window.refresh()
    assert window.window_label.text() == "W 4327.5 C 673.2"
    content = window._report_now()(include_identifiers=False)
    assert content.image["display"] == "W 4327.5 C 673.2"
