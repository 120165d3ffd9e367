"""The file's windows are all reachable; percentile presets leave padding out."""

import numpy as np
import pydicom
import pytest

from core.display import auto_window, to_display
from core.image import Window

pytestmark = pytest.mark.gui


@pytest.fixture
def windows_dicom(small_dicom, tmp_path):
    """The small phantom with two named windows, SIGMOID, and a padded border at 4095."""
    ds = pydicom.dcmread(small_dicom)
    stored = ds.pixel_array.copy()
    assert stored.max() < 4095
    stored[:, :10] = 4095
    ds.PixelData = stored.tobytes()
    ds.WindowCenter, ds.WindowWidth = [2048, 1200], [4096, 800]
    ds.WindowCenterWidthExplanation = ["FULL", "LUNG"]
    ds.VOILUTFunction = "SIGMOID"
    ds.add_new(0x00280120, "US", 4095)  # PixelPaddingValue
    path = tmp_path / "windows.dcm"
    ds.save_as(path)
    return path


def test_every_file_window_is_in_the_menu_and_w_steps_through_them(window, windows_dicom):
    window.open_file(windows_dicom)
    names = [a.text() for a in window.file_windows_menu.actions()]
    assert names == [
        "File window 1 FULL (C 2048, W 4096, SIGMOID)",
        "File window 2 LUNG (C 1200, W 800, SIGMOID)",
    ]
    window.next_file_window()
    assert window.window_override == Window(1200, 800, function="SIGMOID")
    assert window.window_label.text() == "W 800 C 1200 SIGMOID"
    window.next_file_window()
    assert window.window_override is None  # back to the first, the default
    window.file_windows_menu.actions()[1].trigger()
    assert window.window_override.explanation == "LUNG"


def test_an_image_without_file_windows_says_so(window, ramp):
    window.open_file(ramp)
    (entry,) = window.file_windows_menu.actions()
    assert entry.text() == "The file names no window" and not entry.isEnabled()
    window.next_file_window()
    assert window.window_override is None
    assert window.statusBar().currentMessage() == "The file names no window"


def test_percentile_presets_leave_the_padding_out(window, windows_dicom):
    window.open_file(windows_dicom)
    window.apply_preset(3)  # full range
    pixels, mask = window.image.pixels, window.image.padding.mask
    assert mask[:, :10].all() and not mask[:, 10:].any()
    assert window.window_override == auto_window(pixels, percentiles=(0, 100), padding=mask)
    assert window.window_override.high < 4095  # the border is not in it


def test_the_residual_is_shown_linearly_whatever_the_files_function(window, windows_dicom):
    from xraygui.session import residual_grey

    window.open_file(windows_dicom)
    image = window.image
    denoised = image.with_pixels(image.pixels * 0.98)
    residual = image.pixels - denoised.pixels
    spread = float(np.percentile(np.abs(residual), 99.5))
    exact = to_display(
        image.with_pixels(residual, photometric="MONOCHROME2", voi_lut=None),
        Window(0.0, 2 * spread, function="LINEAR_EXACT"),
    )
    np.testing.assert_array_equal(residual_grey(image, denoised), exact)


def test_the_padding_is_left_out_of_the_metrics_and_the_report(
    window, qtbot, settle, windows_dicom, tmp_path
):
    import csv
    import io

    from core.noise import LowDoseSettings

    window.open_file(windows_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=0))
    settle(window)
    np.testing.assert_array_equal(window.image.pixels[:, :10], window.source.pixels[:, :10])
    (row,) = window.comparison_rows()
    assert row.metrics.excluded == 96 * 10
    assert window.metrics.table.item(0, 1).text() == "Image, padding out"
    paths = window.export_report(tmp_path / "report")
    rows = list(csv.DictReader(io.StringIO(paths[2].read_text(encoding="utf-8-sig"))))
    assert [r["padding_pixels_left_out"] for r in rows] == ["960"]
