"""The file's VOI LUTs are offered beside its windows, named when shown, and dragged from."""

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from core.display import to_display
from core.image import VoiLut, Window

pytestmark = pytest.mark.gui

SQRT = np.rint(65535 * np.sqrt(np.arange(4096) / 4095)).astype(np.uint16)
STEEP = np.clip(np.arange(4096) * 32 - 32000, 0, 65535).astype(np.uint16)


def _item(table, explanation):
    item = Dataset()
    item.add_new(0x00283002, "US", [table.size, 0, 16])  # LUTDescriptor
    item.add_new(0x00283006, "OW", table.astype("<u2").tobytes())  # LUTData
    item.LUTExplanation = explanation
    return item


def _dicom(small_dicom, path, *, windows, stored=None):
    """The small phantom with VOI LUTs NORMAL and HARD, and a window if `windows`."""
    ds = pydicom.dcmread(small_dicom)
    if stored is not None:
        ds.PixelData = stored.astype("<u2").tobytes()
    if windows:
        ds.WindowCenter, ds.WindowWidth = 2000, 3000
    else:
        del ds.WindowCenter, ds.WindowWidth
    ds.VOILUTSequence = [_item(SQRT, "NORMAL"), _item(STEEP, "HARD")]
    ds.save_as(path)
    return path


def _shown(window):
    return window.views.panes["before"].image_item.image


def test_the_voi_lut_shown_is_named_in_the_status_bar(window, small_dicom, tmp_path):
    window.open_file(_dicom(small_dicom, tmp_path / "voi.dcm", windows=False))
    image = window.image
    assert isinstance(image.default_view, VoiLut)
    assert window.window_label.text() == "VOI LUT NORMAL"
    np.testing.assert_allclose(_shown(window), to_display(image, image.file_voi_luts[0]))


def test_w_and_the_menu_offer_the_windows_then_every_voi_lut(window, small_dicom, tmp_path):
    window.open_file(_dicom(small_dicom, tmp_path / "both.dcm", windows=True))
    image = window.image
    assert [a.text() for a in window.file_windows_menu.actions()] == [
        "File window 1 (C 2000, W 3000)",
        "File VOI LUT 1 NORMAL (4096 entries, first 0, 16 bits)",
        "File VOI LUT 2 HARD (4096 entries, first 0, 16 bits)",
    ]
    assert window.window_override is None and window.window_label.text() == "W 3000 C 2000"
    for explanation in ("NORMAL", "HARD"):
        window.next_file_window()
        lut = window.window_override
        assert isinstance(lut, VoiLut) and lut.explanation == explanation
        assert window.window_label.text() == f"VOI LUT {explanation}"
        np.testing.assert_allclose(_shown(window), to_display(image, lut))
    window.next_file_window()
    assert window.window_override is None  # back to the first window, the default
    window.file_windows_menu.actions()[2].trigger()
    assert window.window_override.explanation == "HARD"
    assert window.statusBar().currentMessage() == (
        "Window: File VOI LUT 2 HARD (4096 entries, first 0, 16 bits)"
    )


def test_a_drag_from_a_voi_lut_starts_from_a_window_close_to_it(window, small_dicom, tmp_path):
    dark = np.linspace(100, 1000, 96 * 96).reshape(96, 96)  # where the LUT is far from linear
    window.open_file(_dicom(small_dicom, tmp_path / "dark.dcm", windows=False, stored=dark))
    before = _shown(window).copy()
    window.drag_window(0.0, 0.0)
    dragged = window.window_override
    assert isinstance(dragged, Window) and dragged.function == "LINEAR"
    assert window.window_label.text().startswith("W ")
    assert np.abs(_shown(window) - before).max() < 0.05
    assert np.abs(to_display(window.image, window.image.window) - before).max() > 0.3


def test_the_report_s_thumbnail_shows_the_voi_lut_shown(window, small_dicom, tmp_path, monkeypatch):
    from xraygui import reports

    written = []
    monkeypatch.setattr(reports, "write_report", lambda content, folder: written.append(content))
    window.open_file(_dicom(small_dicom, tmp_path / "both.dcm", windows=True))
    window.file_windows_menu.actions()[2].trigger()  # VOI LUT HARD
    window.export_report(tmp_path)
    (content,) = written
    hard = window.image.file_voi_luts[1]
    np.testing.assert_array_equal(content.thumbnails["before"], to_display(window.image, hard))
    assert content.image["display"] == "VOI LUT HARD"
    assert content.to_json()["image"]["display"] == "VOI LUT HARD"
