"""A file window's menu name writes its centre and width as the status bar does; t* keeps
4 significant digits.

Before, View > Window Presets named a window "C 673.17, W 4327.5" where the status bar
said "W 4327.5 C 673.2", and the panel's status line said "t* = 0.2" for t* = 0.16. A
file's own window is written with the digits the file holds, both numbers alike.
"""

import dataclasses

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from xraygui.main_window import _view_label, _view_name

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("window", "name"),
    [
        (Window(673.17, 4327.5), "File window 1 (C 673.17, W 4327.50)"),
        (Window(673.0, 4328.0), "File window 1 (C 673, W 4328)"),
        (Window(40.0, 400.0, function="SIGMOID"), "File window 1 (C 40, W 400, SIGMOID)"),
    ],
)
def test_a_file_windows_name_has_the_decimals_of_its_label(window, name):
    image = XrayImage(
        np.zeros((8, 8), np.float32),
        StoredMapping(bits_stored=12),
        Window(2048, 4096),
        file_windows=(window,),
    )
    assert _view_name(image, 0) == name
    label = _view_label(window, image).split(" SIGMOID")[0]  # "W 4327.50 C 673.17"
    width, centre = label.split()[1], label.split()[3]
    assert f"(C {centre}, W {width}" in name


def test_the_status_line_writes_t_star_to_4_significant_digits(window, qtbot, small_dicom):
    assert window.open_file(small_dicom)
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    for t_start, shown in [(0.16, "0.16"), (123.456, "123.5"), (50.0, "50")]:
        window._on_result(dataclasses.replace(window.result, t_start=t_start))
        assert window.controls.status.text().endswith(f"t* = {shown}")
