"""The metrics' data range and where it comes from: in the panel and in the reports."""

import csv
import json

import numpy as np
from PySide6.QtGui import QPainter

from core.image import StoredMapping, Window, XrayImage
from xraygui.analysis import comparisons
from xraygui.metrics_panel import MetricsPanel
from xraygui.reports import ReportContent, write_report


def _float_image(pixels: np.ndarray) -> XrayImage:
    return XrayImage(
        pixels=pixels.astype(np.float32),
        mapping=StoredMapping(bits_stored=32, is_float=True),
        window=Window(1500.0, 3000.0),
        photometric="MONOCHROME2",
    )


def test_the_panel_says_the_data_range_and_its_source(window, settle, small_dicom, qtbot):
    from core.noise import LowDoseSettings

    window.open_file(small_dicom)
    assert not window.metrics.range_label.isVisibleTo(window.metrics)  # no reference yet
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=0))
    settle(window)
    qtbot.waitUntil(window.metrics_current)
    said = "4095 (the reference's 12-bit stored range)"
    assert window.metrics.range_label.isVisibleTo(window.metrics)
    assert window.metrics.range_label.text() == f"PSNR and SSIM on a data range of {said}."
    assert said in window.metrics.table.item(0, 3).toolTip()


def test_a_float_references_own_span_is_named(qtbot):
    rng = np.random.default_rng(0)
    reference = _float_image(np.linspace(0.0, 3000.0, 64 * 64).reshape(64, 64))
    noisy = reference.with_pixels(reference.pixels + rng.normal(0, 20, reference.shape))
    rows = comparisons(reference, noisy, None)
    assert rows[0].data_range_source == (
        "the reference's maximum minus minimum of floating-point values outside [0, 1]"
    )
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.set_rows(rows)
    assert panel.range_label.text() == (
        "PSNR and SSIM on a data range of 3000 (the reference's maximum minus minimum "
        "of floating-point values outside [0, 1])."
    )


def test_the_reports_record_the_data_range_source(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    reference = _float_image(np.linspace(0.0, 3000.0, 64 * 64).reshape(64, 64))
    noisy = reference.with_pixels(reference.pixels + rng.normal(0, 20, reference.shape))
    rows = comparisons(reference, noisy, None)
    content = ReportContent.from_session(
        source=reference,
        image=noisy,
        reference=reference,
        dose=None,
        result=None,
        rows=rows,
        noise=(20.0, None),
    )
    drawn = []
    real = QPainter.drawText
    monkeypatch.setattr(
        QPainter,
        "drawText",
        lambda painter, *args: (
            drawn.append(next(a for a in args if isinstance(a, str))) or real(painter, *args)
        ),
    )
    pdf, js, table = write_report(content, tmp_path)
    source = rows[0].data_range_source
    assert json.loads(js.read_text())["metrics"][0]["data_range_source"] == source
    with table.open(newline="") as file:
        assert [row["data_range_source"] for row in csv.DictReader(file)] == [source]
    assert f"PSNR and SSIM on a data range of 3000 ({source})." in drawn
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_panel_scores_12_bit_data_in_a_16_bit_container_against_4095():
    rng = np.random.default_rng(2)
    pixels = rng.integers(100, 4000, (64, 64)).astype(np.float32)
    reference = XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=16),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )
    noisy = reference.with_pixels(np.round(pixels + rng.normal(0, 20, pixels.shape)))
    rows = comparisons(reference, noisy, None)
    assert rows[0].metrics.data_range == 4095.0
    assert rows[0].data_range_source == "the reference's 12-bit data in a 16-bit container"
