import csv
import io
import json
import time

import numpy as np
import pytest

from core.denoise import auto_views
from core.device import inference_dtype, select_device
from core.errors import XrayError
from core.io import read_image
from core.metrics import psnr
from core.noise import phantom_image

pytestmark = pytest.mark.gui


def run_denoise(qtbot, window, steps=3):
    window.controls.steps.setValue(steps)
    returned = []
    worker = window.start_denoise()
    assert worker is not None
    worker.returned.connect(returned.append)
    errors = []
    worker.errored.connect(errors.append)
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    assert errors == [] and len(returned) == 1
    return returned[0]


def test_denoise_shows_the_result_and_every_step_can_be_scrubbed(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    result = run_denoise(qtbot, window, steps=3)
    assert window.result is result
    assert window.denoised.shape == window.image.shape
    assert window.controls.denoise_button.isEnabled()
    assert not window.controls.cancel_button.isEnabled()
    assert window.metrics.noise_label.text().startswith("Input noise (std, pixel values): ")
    after = window.views.panes["after"].image_item
    np.testing.assert_allclose(after.image, window.grey(result.image.pixels))
    shown = []
    for index in range(len(window.trajectory)):
        window.timeline.slider.setValue(index)
        assert f"step {index + 1}/3" in window.timeline.label.text()
        shown.append(after.image.copy())
    window.timeline.show_x0.setCurrentIndex(1)  # x_t
    window.timeline.slider.setValue(0)
    assert not np.array_equal(after.image, shown[0])
    assert len(window.trajectory) == 3


def test_cancel_stops_and_leaves_no_result(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.controls.steps.setValue(200)
    worker = window.start_denoise()
    returned = []
    worker.returned.connect(returned.append)
    cancelled_at = []
    worker.yielded.connect(lambda _: cancelled_at.append(time.monotonic()) or window.cancel())
    with qtbot.waitSignals([worker.aborted, worker.finished], order="strict", timeout=10000):
        pass
    assert time.monotonic() - cancelled_at[0] < 1.0
    qtbot.wait(50)
    assert returned == [] and window.result is None and window.trajectory is None
    assert window.controls.denoise_button.isEnabled()
    assert window.controls.progress.format() == "Cancelled"


def test_a_failing_run_shows_an_error_dialog(window, qtbot, small_dicom, dialogs):
    window.open_file(small_dicom)
    window.controls.device.setCurrentText("mps")  # not on this machine
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.errored, worker.finished], order="strict", timeout=10000):
        pass
    assert dialogs and dialogs[-1][0] == "critical" and "mps" in dialogs[-1][2]
    assert window.result is None


def test_forward_process_mode_shows_noisier_images_at_later_times(window, small_dicom):
    window.open_file(small_dicom)
    window.timeline.set_mode("forward")
    window.timeline.slider.setValue(0)
    early = window.views.panes["after"].image_item.image.copy()
    window.timeline.slider.setValue(900)
    late = window.views.panes["after"].image_item.image
    assert "t = 900" in window.timeline.label.text()
    assert (
        np.abs(late - window.grey(window.image.pixels)).mean()
        > np.abs(early - window.grey(window.image.pixels)).mean()
    )


@pytest.mark.parametrize(
    ("name", "pixels", "suffix"),
    [
        ("float.npy", np.float32, ".tif"),  # a PNG would not hold floats
        ("wide.tif", np.uint32, ".tif"),
        ("film.png", np.uint16, ".png"),
    ],
)
def test_export_suggests_a_format_that_holds_the_values(
    window, qtbot, tmp_path, monkeypatch, name, pixels, suffix
):
    import tifffile
    from PIL import Image
    from PySide6.QtWidgets import QFileDialog

    values = phantom_image((96, 96), bits_stored=16, seed=1).astype(pixels)
    path = tmp_path / name
    if name.endswith(".npy"):
        np.save(path, values / 65535)
    elif name.endswith(".tif"):
        tifffile.imwrite(path, values * 200)  # beyond 16 bits, exact in float32 (< 2**24)
    else:
        Image.fromarray(values).save(path)
    window.open_file(path)
    run_denoise(qtbot, window, steps=1)
    suggested = []

    def save_dialog(parent, caption, default, filter_):
        suggested.append(default)
        return default, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    window.choose_export_image()
    assert suggested[0].endswith(f"{path.stem}_denoised{suffix}")
    back = read_image(suggested[0])
    assert back.shape == (96, 96) and back.mapping == window.source.mapping


def test_the_report_reuses_the_rows_shown_unless_their_inputs_changed(
    window, qtbot, settle, small_dicom, monkeypatch
):
    import xraygui.main_window
    from core.noise import LowDoseSettings

    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=0))
    settle(window)
    run_denoise(qtbot, window, steps=1)
    window.roi_action.setChecked(True)
    settle(window)
    calls = []
    real = xraygui.main_window.comparisons
    monkeypatch.setattr(
        xraygui.main_window, "comparisons", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    rows = window.comparison_rows()
    assert calls == [] and [r.scope for r in rows].count("image") == 2 and len(rows) == 4
    window.reference = window.reference.with_pixels(window.reference.pixels + 1)
    fresh = window.comparison_rows()
    assert calls == [1] and fresh[0].metrics != rows[0].metrics


def test_export_report_and_image(window, qtbot, settle, small_dicom, tmp_path):
    from core.noise import LowDoseSettings

    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=0))
    settle(window)
    run_denoise(qtbot, window, steps=2)
    pdf, js, csv_path = window.export_report(tmp_path / "report")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert b"Not for diagnostic use" in pdf.read_bytes()
    report = json.loads(js.read_text())
    assert report["disclaimer"] == "Not for diagnostic use"
    assert (report["image"]["frame"], report["image"]["frames"]) == (1, 1)
    assert {"software", "created", "source", "denoising", "metrics", "noise_std"} <= set(report)
    assert report["denoising"]["sampler"] == "ddim" and report["denoising"]["steps"] == 2
    auto = auto_views(inference_dtype(select_device("auto"), "auto"))  # the default
    assert report["denoising"]["views"] == auto
    assert len(report["denoising"]["model_sha256"]) == 64
    assert {m["comparison"] for m in report["metrics"]} == {
        "noisy vs reference",
        "denoised vs reference",
    }
    assert "patient" not in report and "DOE" not in js.read_text()
    # The reference's own noise, and what the noise-free image would score against it:
    # close to what the noise-free phantom does score.
    assert report["noise_std"]["reference"] > 0
    floor = report["metrics"][0]["noise_free_psnr"]
    clean = phantom_image((96, 96), bits_stored=12, seed=1)
    assert floor == pytest.approx(psnr(window.reference.pixels, clean, data_range=4095), abs=0.5)
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert "noise_reference" in lines[0] and "noise_free_psnr_db" in lines[0]
    row = next(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert row["views"] == str(auto) and row["simulation"].startswith("simulated 25 % dose")
    assert f"{floor}" in lines[1]
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2 and all(r["disclaimer"] == "Not for diagnostic use" for r in rows)
    with_ids = json.loads(
        window.export_report(tmp_path / "ids", include_identifiers=True)[1].read_text()
    )
    assert with_ids["patient"]["PatientID"] == "P123"

    written = window.export_image(tmp_path / "denoised.dcm")
    derived = read_image(written)
    assert "DERIVED" in derived.metadata["ImageType"]
    assert derived.shape == window.image.shape
    with pytest.raises(XrayError, match="source"):
        window.export_image(small_dicom)


def test_no_model_installed_disables_denoise(qtbot, tmp_path, dialogs):
    from PySide6.QtCore import QSettings

    from xraygui.main_window import MainWindow

    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert not window.controls.denoise_button.isEnabled()
    assert "No model is installed" in window.controls.denoise_button.toolTip()
    assert window.start_denoise() is None


def test_demo_generates_from_noise_step_by_step(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.timeline.demo_steps.setValue(3)
    window.timeline.set_mode("demo")
    worker = window.start_demo()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    assert len(window.demo) == 3
    window.timeline.show_x0.setCurrentIndex(1)  # x_t: pure noise first, then less noisy
    window.timeline.slider.setValue(0)
    first = window.views.panes["after"].image_item.image.copy()
    window.timeline.slider.setValue(2)
    assert not np.array_equal(first, window.views.panes["after"].image_item.image)
    assert window.views.panes["after"].title.text == "Generated from noise"


def test_the_stored_trajectory_stays_within_its_budget():
    from core.denoise import DenoiseStep
    from xraygui.timeline import Trajectory

    budget = 16 * 2**20
    trajectory = Trajectory((2000, 2000), 20, budget=budget)
    big = np.zeros((2000, 2000), np.float32)
    for step in range(1, 21):
        trajectory.add(DenoiseStep(step, 20, 1.0, 0.1, big, big, 2.0, 0.2))
    assert len(trajectory) == 20 and trajectory.stride > 1
    assert trajectory.nbytes <= budget


def test_uncertainty_samples_fill_the_uncertainty_pane(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.controls.samples.setValue(2)
    window.uncertainty_action.setChecked(True)
    result = run_denoise(qtbot, window, steps=1)
    assert result.uncertainty is not None
    pane = window.views.panes["uncertainty"]
    assert pane.isVisible() and pane.image_item.image is not None
    assert pane.image_item.image.shape == window.image.shape


def test_dropping_files_opens_them(window, small_dicom):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(small_dicom))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.source is not None and window.source.source_path == small_dicom
