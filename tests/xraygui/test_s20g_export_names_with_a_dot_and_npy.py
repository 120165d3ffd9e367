"""Export: a name with a dot but no image extension takes the filter's; .npy is refused.

The suggested name of a 12.5 % dose has no dot (``simulated12p5pct``); a typed name such as
``chest v1.2`` is not taken for one with the extension ``.2``. A ``.npy`` would hold neither
the notice nor the provenance, so the app's export refuses it in one line that names .tif.
"""

import pytest
from PIL import Image
from PySide6.QtWidgets import QFileDialog

from core.errors import XrayError
from core.noise import LowDoseSettings
from xraygui.main_window import EXPORT_SUFFIXES

pytestmark = pytest.mark.gui

PNG_FILTER = next(f for f, suffix in EXPORT_SUFFIXES.items() if suffix == ".png")


def _save_as(monkeypatch, path, chosen_filter):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), chosen_filter))


@pytest.fixture
def simulated_result(window, settle, denoise_quickly, small_dicom):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.125, seed=0))
    settle(window)
    denoise_quickly(window)
    return window


def test_the_suggested_name_of_a_12_5_percent_dose_has_no_dot(simulated_result):
    assert simulated_result.export_stem() == "phantom_simulated12p5pct_denoised"


@pytest.mark.parametrize(
    "typed", ["phantom_simulated12.5pct_denoised", "chest v1.2", "result.final"]
)
def test_a_name_with_a_dot_and_no_image_extension_takes_the_filters(
    simulated_result, dialogs, tmp_path, monkeypatch, typed
):
    _save_as(monkeypatch, tmp_path / typed, PNG_FILTER)
    simulated_result.choose_export_image()
    assert dialogs == []
    written = tmp_path / f"{typed}.png"
    with Image.open(written) as image:
        assert "Not for diagnostic use" in image.info["Description"]
    assert [path.name for path in tmp_path.iterdir() if path.suffix != ".ini"] == [written.name]


def test_an_upper_case_extension_is_kept(simulated_result, dialogs, tmp_path, monkeypatch):
    _save_as(monkeypatch, tmp_path / "out.PNG", PNG_FILTER)
    simulated_result.choose_export_image()
    assert dialogs == [] and (tmp_path / "out.PNG").is_file()


def test_a_typed_npy_is_refused_in_one_line_naming_tif(
    simulated_result, dialogs, tmp_path, monkeypatch
):
    _save_as(monkeypatch, tmp_path / "out.npy", PNG_FILTER)
    simulated_result.choose_export_image()
    [(kind, title, text)] = dialogs
    assert kind == "critical" and title == "Cannot export"
    assert text.startswith(f"{tmp_path / 'out.npy'}: ") and "\n" not in text
    assert "Not for diagnostic use" in text and "name it .tif" in text
    assert not (tmp_path / "out.npy").exists() and not (tmp_path / "out.npy.png").exists()


def test_an_unknown_extension_is_refused_without_naming_npy(simulated_result, tmp_path):
    with pytest.raises(XrayError) as raised:
        simulated_result.export_image(tmp_path / "out.bmp")
    assert str(raised.value).endswith("unsupported output format .bmp: use .dcm, .png or .tif")
