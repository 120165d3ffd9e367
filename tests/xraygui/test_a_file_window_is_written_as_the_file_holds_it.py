"""A file's own window is named with the digits the file holds: C 40.25 is not "C 40.2"."""

import pydicom

from xraygui.main_window import _view_label, _view_name


def test_a_file_windows_label_and_name_keep_its_digits(window, small_dicom, tmp_path):
    ds = pydicom.dcmread(small_dicom)
    ds.WindowCenter, ds.WindowWidth = [40.25, 1000.75], [400, 2000.5]
    ds.WindowCenterWidthExplanation = ["SOFT", "BONE"]
    ds.save_as(tmp_path / "f.dcm")
    assert window.open_file(tmp_path / "f.dcm")
    image = window.image
    soft, bone = image.file_windows
    assert _view_label(soft, image) == "W 400.00 C 40.25"
    assert _view_label(bone, image) == "W 2000.50 C 1000.75"
    assert "(C 40.25, W 400.00)" in _view_name(image, 0)
    assert window.window_label.text().startswith("W 400.00 C 40.25")
