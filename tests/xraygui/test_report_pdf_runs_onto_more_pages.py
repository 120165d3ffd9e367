"""A long PDF report runs onto more pages, each saying "Not for diagnostic use"."""

import re

import numpy as np
import pytest
from PySide6.QtGui import QPainter

from core.io.notice import DISCLAIMER
from xraygui.reports import ReportContent, pdf_bytes

pytestmark = pytest.mark.gui

LONG_PATH = "/PACS_export/Department_of_Radiology_Chest_Unit/" + "Study_1.2.826.0.1.3680" * 8


def _content(comparisons: int) -> ReportContent:
    return ReportContent(
        source=LONG_PATH + "/chest.dcm",
        image={
            "rows": 64,
            "columns": 64,
            "pixel_spacing_mm": None,
            "photometric": "MONOCHROME2",
            "format": "dicom",
            "frame": 1,
            "frames": 1,
            "modality": "CR",
            "reference": "user-chosen image",
        },
        patient=None,
        simulation="simulated 1 % dose " + "with a long description " * 20,
        denoising=None,
        noise={"before": 1.0, "after": None, "reference": None},
        metrics=[
            {
                "comparison": f"comparison {i}",
                "scope": "image",
                "mse": 1.0,
                "psnr": 40.0,
                "ssim": 0.9,
                "data_range": 4095.0,
                "data_range_source": None,
                "noise_free_psnr": None,
                "noise_free_rms": None,
                "noise_free_psnr_problem": None,
            }
            for i in range(comparisons)
        ],
        thumbnails={"before": np.random.default_rng(0).random((64, 64))},
        reference={
            "kind": "user-chosen image",
            "name": LONG_PATH + "/reference.png",
            "frame": 1,
            "frames": 1,
            "sha256": "0" * 64,
        },
    )


def _pages(content: ReportContent, monkeypatch) -> tuple[bytes, list[list[str]]]:
    """Render the PDF; return it and the text drawn on each page, all checked to lie on it."""
    drawn: list[str] = []
    real = QPainter.drawText

    def draw_text(painter, *args):
        rect, text = args[0], next(a for a in args if isinstance(a, str))  # any overload
        device = painter.device()
        assert 0 <= rect.top() and rect.bottom() <= device.height(), f"{text!r} is off the page"
        drawn.append(text)
        return real(painter, *args)

    monkeypatch.setattr(QPainter, "drawText", draw_text)
    pdf = pdf_bytes(content)
    # The report is laid out twice, the first time to count its pages ("page N").
    last = max(i for i, text in enumerate(drawn) if re.fullmatch(r"page \d+", text))
    pages: list[list[str]] = [[]]
    for text in drawn[last + 1 :]:
        pages[-1].append(text)
        if re.fullmatch(r"page \d+ of \d+", text):
            pages.append([])
    assert pages.pop() == []  # the last page ends with its number
    return pdf, pages


def test_a_long_report_runs_onto_more_pages_each_saying_not_for_diagnostic_use(qapp, monkeypatch):
    pdf, pages = _pages(_content(comparisons=60), monkeypatch)
    count = len(pages)
    assert count >= 2
    assert len(re.findall(rb"/Type /Page\b", pdf)) == count
    for number, texts in enumerate(pages, start=1):
        assert f"{DISCLAIMER}." in texts
        assert texts[-1] == f"page {number} of {count}"
    text = "\n".join("\n".join(texts) for texts in pages)
    assert "comparison 59" in text  # the table's last row is on a page...
    assert pages[-1][-3] == f"{DISCLAIMER}."  # ...and so is the closing disclaimer
    for texts in pages:  # the table's header on each page it runs onto
        assert "Comparison" in texts or not any(t.startswith("comparison ") for t in texts)


def test_a_short_report_is_one_page(qapp, monkeypatch):
    pdf, pages = _pages(_content(comparisons=2), monkeypatch)
    assert len(pages) == 1
    assert pages[0][-1] == "page 1 of 1"
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
