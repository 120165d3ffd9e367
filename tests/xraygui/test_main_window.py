import numpy as np
import pytest

from core.display import to_display
from core.io import read_image
from core.io.notice import DISCLAIMER
from core.resources import sample_image_path

pytestmark = pytest.mark.gui


def test_opens_the_bundled_sample_and_shows_it(window):
    assert window.open_file(sample_image_path())
    pane = window.views.panes["before"]
    shown = pane.image_item.image
    rows, cols = pane.blocks()  # zoomed out, a minified copy covers the whole image
    assert pane.extent == window.image.shape
    assert shown.shape == (-(-window.image.shape[0] // rows), -(-window.image.shape[1] // cols))
    assert 0.0 <= shown.min() < shown.max() <= 1.0
    assert DISCLAIMER in window.windowTitle()


def test_opens_a_dicom_with_status_bar_and_tags(window, small_dicom):
    assert window.open_file(small_dicom)
    assert "96 x 96 px" in window.size_label.text()
    assert "0.5 x 0.5 mm" in window.size_label.text()
    assert window.device_label.text().startswith("Device: ")
    window._show_cursor(("before", 10.5, 20.5))
    text = window.cursor_label.text()
    stored = int(read_image(small_dicom).pixels[10, 20])
    assert "x 20  y 10" in text and f"before: stored {stored}" in text and "mm" in text
    window.tags.search.setText("patient's name")
    assert window.tags.proxy.rowCount() == 1
    assert str(small_dicom.resolve()) == window.recent_files()[0]


def test_a_multi_page_file_has_a_frame_picker(window, small_dicom, tmp_path):
    import tifffile

    pages = np.stack([np.full((48, 64), 1000 * (k + 1), np.uint16) for k in range(3)])
    pages += np.random.default_rng(0).integers(0, 50, pages.shape, dtype=np.uint16)
    path = tmp_path / "pages.tif"
    tifffile.imwrite(path, pages, photometric="minisblack")
    assert window.open_file(path)
    box = window.frame_box
    assert box.isVisibleTo(window) and (box.value(), box.maximum()) == (1, 3)
    assert box.text() == "Frame 1 of 3"
    box.setValue(3)  # numbered from 1, as in DICOM
    assert window.source.frame == 2
    np.testing.assert_array_equal(window.image.pixels, pages[2])
    assert window.open_file(small_dicom)
    assert not window.frame_box.isVisibleTo(window)


def test_a_corrupt_file_gives_a_one_line_error_dialog(window, tmp_path, dialogs):
    corrupt = tmp_path / "broken.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    assert not window.open_file(corrupt)
    assert len(dialogs) == 1
    kind, _, text = dialogs[0]
    assert kind == "critical" and "broken.png" in text and "\n" not in text
    assert window.image is None


def test_npy_image_is_shown(window, ramp):
    assert window.open_file(ramp)
    assert window.image.shape == (40, 50)


def test_monochrome1_is_shown_inverted_and_the_data_untouched(window, monochrome1_dicom):
    assert window.open_file(monochrome1_dicom)
    pixels = window.image.pixels.copy()
    shown = window.views.panes["before"].image_item.image
    np.testing.assert_allclose(shown, to_display(window.image))
    bright = np.unravel_index(np.argmax(pixels), pixels.shape)
    assert shown[bright] < 0.2  # high values are dark in MONOCHROME1
    window.set_invert(True)
    assert window.views.panes["before"].image_item.image[bright] > 0.8
    np.testing.assert_array_equal(window.image.pixels, pixels)


def test_window_level_drag_and_presets(window, small_dicom):
    window.open_file(small_dicom)
    pixels = window.image.pixels.copy()
    before = window.views.panes["before"].image_item.image.copy()
    window.views.panes["before"].view.sigWindowDrag.emit(-100.0, 0.0)  # narrower window
    assert window.window_override.width < window.image.window.width
    narrowed = window.views.panes["before"].image_item.image
    assert narrowed.std() > before.std()
    np.testing.assert_array_equal(window.image.pixels, pixels)
    window.apply_preset(2)
    assert window.window_override is not None
    window.apply_preset(1)
    assert window.window_override is None
    np.testing.assert_allclose(window.views.panes["before"].image_item.image, before)


def test_panes_zoom_and_pan_together(window, small_dicom):
    window.open_file(small_dicom)
    window._pane("residual", True)
    before = window.views.panes["before"].view
    before.setRange(xRange=(10, 30), yRange=(10, 30), padding=0)
    for name in ("after", "residual"):
        (x0, x1), _ = window.views.panes[name].view.viewRange()
        assert x0 == pytest.approx(before.viewRange()[0][0], abs=1)
        assert x1 == pytest.approx(before.viewRange()[0][1], abs=1)


def test_crosshair_follows_in_every_pane(window, small_dicom):
    window.open_file(small_dicom)
    window.views._cursor("after", (12.0, 34.0))
    for name in ("before", "after"):
        pane = window.views.panes[name]
        assert pane.vline.isVisible() and pane.vline.value() == 34.0
        assert pane.hline.value() == 12.0


def test_simulated_low_dose_keeps_the_original_as_reference(window, settle, small_dicom):
    from core.noise import LowDoseSettings

    window.open_file(small_dicom)
    original = window.image
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=1))
    settle(window)
    assert window.reference is original
    assert not np.array_equal(window.image.pixels, original.pixels)
    rows = window.metrics.table.rowCount()
    assert rows == 1 and window.metrics.table.item(0, 0).text() == "Noisy"
    # The original has noise of its own, which bounds what PSNR against it can show.
    floor = window.metrics.floor_label
    assert not floor.isHidden() and "noise of its own" in floor.text()
    assert " dB PSNR against it." in floor.text() and "ROI" not in floor.text()
    window.roi_action.setChecked(True)
    settle(window)
    assert window.metrics.table.rowCount() == 2
    assert window.metrics.table.item(1, 1).text() == "ROI"
    assert window.region().as_text() in window.metrics.table.item(1, 1).toolTip()
    assert "ROI" in floor.text()
    window.restore_original()
    settle(window)
    assert floor.isHidden()


def test_swipe_is_refused_before_there_is_an_after_image(window, small_dicom):
    window.open_file(small_dicom)
    window.swipe_action.setChecked(True)
    assert not window.swipe_action.isChecked() and not window.views.swipe.enabled
    assert window.views.panes["after"].isVisible()


def test_open_folder_lists_images_grouped_and_skips_others(
    window, qtbot, tmp_path, small_dicom, ramp
):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.dcm").write_bytes(small_dicom.read_bytes())
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "junk").write_bytes(b"nothing")
    worker = window.open_folder(tmp_path)
    with qtbot.waitSignal(worker.finished, timeout=10000):
        pass
    assert window.browser.count == 2  # a.dcm and ramp.npy
    assert window.browser.skipped == 1  # "junk" (no extension) is tried and skipped
    top = {
        window.browser.tree.topLevelItem(i).text(0)
        for i in range(window.browser.tree.topLevelItemCount())
    }
    assert "DOE^JANE (P123)" in top and "Other images" in top


def test_keys_1_to_5_pick_window_presets(window, qtbot, small_dicom):
    from PySide6.QtCore import Qt

    window.open_file(small_dicom)
    window.activateWindow()
    window.views.setFocus()
    qtbot.keyClick(window.views, Qt.Key.Key_4)
    assert window.window_override is not None
    qtbot.keyClick(window.views, Qt.Key.Key_1)
    assert window.window_override is None


def test_denoise_settings_persist(qtbot, settings, dialogs):
    from xraygui.main_window import MainWindow

    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.controls.steps.setValue(7)
    first.controls.sampler.setCurrentIndex(1)
    first.controls.views.setCurrentIndex(first.controls.views.findData(4))
    first.close()
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    assert second.controls.steps.value() == 7
    assert second.controls.options().sampler == "ddpm"
    assert second.controls.options().views == 4


def test_the_shipped_model_comes_first(monkeypatch, tmp_path, tiny_model_path):
    import xraygui.models

    monkeypatch.setattr(xraygui.models, "default_model_path", lambda: tiny_model_path)
    entries = xraygui.models.find_models([tiny_model_path, tmp_path / "missing.safetensors"])
    assert [e.label for e in entries] == ["Bundled (tiny)"]


def test_train_mode_runs_the_training_entry_without_qt(tmp_path, capsys, monkeypatch):
    import multiprocessing

    from xraygui.__main__ import main

    calls = []
    monkeypatch.setattr(multiprocessing, "freeze_support", lambda: calls.append("freeze"))
    with pytest.raises(SystemExit) as exit_info:
        main(["--train", "--help"])
    assert exit_info.value.code == 0
    assert "--resume" in capsys.readouterr().out
    # Where a frozen bundle's spawned patch-drawing worker is handed its work.
    assert calls == ["freeze"]


def test_dose_dialog_measures_the_quanta_of_the_image(qtbot, monkeypatch):
    from core.image import StoredMapping, Window, XrayImage
    from core.noise import DEFAULT_MAX_ATTENUATION, NoiseEstimate, phantom_image
    from xraygui.dialogs import SimulateDoseDialog

    def image_of(pixels):
        return XrayImage(
            pixels=np.asarray(pixels, np.float32),
            mapping=StoredMapping(bits_stored=12),
            window=Window(2048.0, 4096.0),
            photometric="MONOCHROME2",
        )

    taken = image_of(phantom_image((512, 512), photons_per_pixel=20000.0, seed=1))
    dialog = SimulateDoseDialog(taken)
    qtbot.addWidget(dialog)
    assert dialog.measure.isChecked() and not dialog.photons.isEnabled()
    assert dialog.measured_label.text().startswith("Measured: ")
    dialog.dose.setValue(10.0)
    dialog.seed.setValue(4)
    settings = dialog.settings()
    assert settings.measured and settings.dose == pytest.approx(0.1) and settings.seed == 4
    assert settings.photons_per_pixel == pytest.approx(20000.0, rel=0.15)
    estimates = []
    real = NoiseEstimate.from_pixels
    monkeypatch.setattr(
        NoiseEstimate, "from_pixels", lambda pixels, **kw: estimates.append(1) or real(pixels, **kw)
    )
    dialog.electronic.setValue(8.0)  # the fit depends on it, not the image's noise estimate
    assert dialog.settings().electronic_noise == 8.0 and dialog.settings().measured
    assert estimates == []  # the estimate made on opening is fitted again
    assert dialog.settings().photons_per_pixel != settings.photons_per_pixel
    shown, span = dialog.photons.value(), dialog.settings().max_attenuation
    assert shown == dialog.settings().photons_per_pixel  # exactly, as reports record it
    dialog.measure.setChecked(False)  # entered by hand, from the measured value on
    assert dialog.photons.isEnabled()
    dialog.photons.setValue(30000.0)
    entered = dialog.settings()
    assert not entered.measured and entered.photons_per_pixel == 30000.0
    assert entered.max_attenuation == span != DEFAULT_MAX_ATTENUATION  # the measured detector

    flat = SimulateDoseDialog(image_of(np.full((64, 64), 1000.0)))
    qtbot.addWidget(flat)
    assert not flat.measure.isEnabled() and not flat.measure.isChecked()
    assert flat.measured_label.text().startswith("Cannot measure the quanta: ")
    assert not flat.settings().measured
