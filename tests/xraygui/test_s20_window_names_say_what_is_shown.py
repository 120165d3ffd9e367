"""Key 1 and the window label say what is shown.

Before, key 1 said "File window or VOI LUT" on a file that names neither, whose percentile
window the readers chose is shown; and a window's VOILUTFunction other than LINEAR
(SIGMOID, LINEAR_EXACT) was named nowhere.
"""

import pydicom
import pytest

from core.display import auto_window

pytestmark = pytest.mark.gui


def test_key_1_on_a_file_without_a_window_names_the_percentile_window(window, ramp):
    assert window.open_file(ramp)
    window.drag_window(40, 0)
    window.apply_preset(1)
    assert window.window_override is None
    assert window.statusBar().currentMessage() == (
        "Window: auto 0.5-99.5 % (the file names no window)"
    )
    assert window.image.window == auto_window(window.image.pixels, percentiles=(0.5, 99.5))


def test_key_1_on_a_file_with_a_window_names_it(window, small_dicom):
    window.open_file(small_dicom)
    window.apply_preset(1)
    assert window.statusBar().currentMessage() == "Window: File window or VOI LUT"


@pytest.mark.parametrize(
    ("function", "suffix"),
    [(None, ""), ("LINEAR", ""), ("SIGMOID", " SIGMOID"), ("LINEAR_EXACT", " LINEAR_EXACT")],
)
def test_the_window_label_and_menu_name_a_function_not_linear(
    window, small_dicom, tmp_path, function, suffix
):
    ds = pydicom.dcmread(small_dicom)
    ds.WindowCenter, ds.WindowWidth = 2048, 4096
    if function is not None:
        ds.VOILUTFunction = function
    path = tmp_path / "function.dcm"
    ds.save_as(path)
    assert window.open_file(path)
    assert window.window_label.text() == f"W 4096 C 2048{suffix}"
    menu = f"File window 1 (C 2048, W 4096{suffix.replace(' ', ', ')})"
    assert [a.text() for a in window.file_windows_menu.actions()] == [menu]
    window.drag_window(30, 0)  # a dragged window keeps the file's function
    assert window.window_label.text().endswith(suffix or " C 2048.0")  # as the width's decimals
