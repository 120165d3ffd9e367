"""Export, reports, recent files and keys, as a workflow review found them wanting."""

import csv
import io
import json
import shutil
from pathlib import Path

import pydicom
import pytest
from PIL import Image
from PySide6.QtWidgets import QFileDialog

from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui


def _save_as(monkeypatch, path, chosen_filter=""):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), chosen_filter))


def test_a_denoised_simulation_says_so_in_its_name_and_its_files(
    window, denoise_quickly, settle, small_dicom, tmp_path, monkeypatch
):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=0))
    settle(window)
    denoise_quickly(window)
    assert window.export_stem() == "phantom_simulated25pct_denoised"
    suggested = []
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda parent, title, default, filters: suggested.append(default) or ("", ""),
    )
    window.choose_export_image()
    assert [Path(p).name for p in suggested] == ["phantom_simulated25pct_denoised.dcm"]
    dicom = window.export_image(tmp_path / "out.dcm")
    written = pydicom.dcmread(dicom)
    assert written.SeriesDescription.endswith(" (simulated 25 % dose, denoised)")
    description = written.DerivationDescription
    assert "simulated 25 % dose" in description and "; then denoised by" in description
    assert description.index("simulated") < description.index("denoised by")
    png = window.export_image(tmp_path / "out.png")
    with Image.open(png) as image:
        text = image.info["Description"]
    # The PNG keeps the source DICOM's own history first, as the derived DICOM does.
    assert text.startswith("test phantom; simulated 25 % dose")
    assert "Not for diagnostic use" in text


def test_a_name_without_extension_takes_the_chosen_filters(
    window, denoise_quickly, small_dicom, tmp_path, monkeypatch
):
    from xraygui.main_window import EXPORT_SUFFIXES

    window.open_file(small_dicom)
    denoise_quickly(window)
    png_filter = next(f for f, suffix in EXPORT_SUFFIXES.items() if suffix == ".png")
    _save_as(monkeypatch, tmp_path / "result", png_filter)
    window.choose_export_image()
    assert (tmp_path / "result.png").is_file() and window.errors == []


def test_an_export_warning_reaches_the_user(
    window, denoise_quickly, monochrome1_dicom, tmp_path, monkeypatch, dialogs
):
    window.open_file(monochrome1_dicom)
    denoise_quickly(window)
    _save_as(monkeypatch, tmp_path / "mono1.png")
    window.choose_export_image()
    assert (tmp_path / "mono1.png").is_file()
    assert dialogs[-1][0] == "warning" and "inverted" in dialogs[-1][2]


def test_a_frames_export_is_named_after_the_frame(window, three_frame_dicom):
    window.open_file(three_frame_dicom, frame=1)
    assert window.export_stem() == "mf_frame002_denoised"  # frame 2, as the frame box says


def test_the_csv_report_has_the_frame_identifiers_and_uncertainty_samples(
    window, denoise_quickly, three_frame_dicom, tmp_path
):
    ds = pydicom.dcmread(three_frame_dicom)
    ds.PatientBirthDate, ds.PatientName = "19700101", "DOE^JO"
    ds.save_as(three_frame_dicom)
    window.open_file(three_frame_dicom, frame=1)
    denoise_quickly(window)
    paths = window.export_report(tmp_path / "with", include_identifiers=True)
    (row,) = list(csv.DictReader(io.StringIO(paths[2].read_text(encoding="utf-8-sig"))))
    assert row["frame"] == "2 of 3" and row["uncertainty_samples"] == "0"
    assert row["patient_PatientBirthDate"] == "19700101"
    assert row["patient_PatientName"] == "DOE^JO"
    assert json.loads(paths[1].read_text())["patient"]["PatientBirthDate"] == "19700101"
    paths = window.export_report(tmp_path / "without")
    (row,) = list(csv.DictReader(io.StringIO(paths[2].read_text(encoding="utf-8-sig"))))
    assert row["patient_PatientBirthDate"] == "" and row["patient_PatientName"] == ""


def test_a_recent_file_that_is_gone_leaves_the_list(window, small_dicom, tmp_path, dialogs):
    gone = tmp_path / "R&D case.dcm"
    shutil.copy(small_dicom, gone)
    window.open_file(gone)
    window.open_file(small_dicom)
    texts = [a.text() for a in window.recent_menu.actions()]
    assert any("R&&D case.dcm" in t for t in texts)  # shown as "R&D", not a mnemonic
    gone.unlink()
    action = next(a for a in window.recent_menu.actions() if "R&&D" in a.text())
    action.trigger()
    assert dialogs and dialogs[-1][0] == "critical"
    assert all("R&&D" not in a.text() for a in window.recent_menu.actions())
    assert str(gone.resolve()) not in window.recent_files()


def test_denoise_and_cancel_have_keys_and_file_mnemonics_are_unique(window, small_dicom):
    from PySide6.QtGui import QKeySequence

    window.open_file(small_dicom)
    actions = {a.text(): a for a in window.findChildren(type(window.roi_action))}
    assert actions["&Denoise"].shortcut() == QKeySequence("Ctrl+D")
    assert actions["&Cancel the Running Job"].shortcut() == QKeySequence("Esc")
    file_menu = window.menuBar().actions()[0].menu()
    mnemonics = [a.text().split("&")[1][0].lower() for a in file_menu.actions() if "&" in a.text()]
    assert len(mnemonics) == len(set(mnemonics))
    window.controls.steps.setValue(200)
    actions["&Denoise"].trigger()
    assert window.worker is not None
    actions["&Cancel the Running Job"].trigger()
    assert window.controls.progress.format() == "Cancelling..."
