"""The PDF report's table keeps each cell within its column, wrapping where it must.

Before, every cell was drawn in a box 0.3 of the page wide while the columns were 0.25
apart, and nothing wrapped: a region's scope ran into the MSE beside it and read
"rows 400-549, cols 300-4999655".
"""

import re

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from xraygui.reports import ReportContent, pdf_bytes

pytestmark = pytest.mark.gui

REGION = "1000,1300,1550,1200"
"""A region of 4-digit rows and columns: "rows 1000-2549, cols 1300-2499"."""
UNBROKEN = "denoised_by_a_model_with_a_name_much_wider_than_its_column_vs_reference"


def _metric(comparison: str, scope: str, mse: float) -> dict:
    return {
        "comparison": comparison,
        "scope": scope,
        "mse": mse,
        "psnr": 33.64,
        "ssim": 0.8155,
        "data_range": 4095.0,
        "data_range_source": None,
        "noise_free_psnr": None,
        "noise_free_rms": None,
        "noise_free_psnr_problem": None,
    }


def _content() -> ReportContent:
    return ReportContent(
        source="chest.dcm",
        image={
            "rows": 3000,
            "columns": 2500,
            "pixel_spacing_mm": None,
            "photometric": "MONOCHROME2",
            "format": "dicom",
            "frame": 1,
            "frames": 1,
            "modality": "CR",
        },
        patient=None,
        simulation=None,
        denoising=None,
        noise={"before": 1.0, "after": None, "reference": None},
        metrics=[
            _metric("noisy vs reference", "image", 7253.0),
            _metric("denoised vs reference", "image", 506.1),
            _metric("noisy vs reference", REGION, 9655.0),
            _metric("denoised vs reference", REGION, 732.4),
            _metric(UNBROKEN, REGION, 123456.0),
        ],
        thumbnails={"before": np.random.default_rng(0).random((64, 64))},
        reference={
            "kind": "user-chosen image",
            "name": "reference.dcm",
            "frame": 1,
            "frames": 1,
            "sha256": "0" * 64,
        },
    )


def _drawn(content: ReportContent, monkeypatch) -> list[list[tuple[str, QRectF]]]:
    """Render the PDF; return each page's texts with the boxes their glyphs fill.

    A box is what Qt lays the text out in, given what it was drawn with
    (:meth:`QPainter.boundingRect`): a line that runs past its rectangle, unwrapped,
    runs past it here too.
    """
    drawn: list[tuple[str, QRectF, float]] = []
    real = QPainter.drawText

    def draw_text(painter, *args):
        if isinstance(args[1], str):  # (rect, text) or (rect, text, option)
            text = args[1]
            box = (
                painter.boundingRect(*args)
                if len(args) == 3
                else painter.boundingRect(*args[:1], 0, text)
            )
        else:  # (rect, flags, text)
            text, box = args[2], painter.boundingRect(*args)
        drawn.append((text, box, painter.device().width()))
        return real(painter, *args)

    monkeypatch.setattr(QPainter, "drawText", draw_text)
    pdf_bytes(content)
    # The report is laid out twice, the first time to count its pages ("page N").
    last = max(i for i, (text, _, _) in enumerate(drawn) if re.fullmatch(r"page \d+", text))
    pages: list[list[tuple[str, QRectF]]] = [[]]
    for text, box, width in drawn[last + 1 :]:
        assert -0.5 <= box.left() and box.right() <= width + 0.5, f"{text!r} runs off the page"
        pages[-1].append((text, box))
        if re.fullmatch(r"page \d+ of \d+", text):
            pages.append([])
    assert pages.pop() == []
    return pages


def test_no_two_texts_on_a_page_overlap_with_a_4_digit_region(qapp, monkeypatch):
    pages = _drawn(_content(), monkeypatch)
    assert len(pages) == 1
    texts = pages[0]
    scope = "rows 1000-2549, cols 1300-2499"
    assert [t for t, _ in texts].count(scope) == 3
    for i, (text, box) in enumerate(texts):
        for other, other_box in texts[i + 1 :]:
            assert not box.intersects(other_box), f"{text!r} overlaps {other!r}"


def test_a_cell_wider_than_its_column_wraps_and_its_row_grows(qapp, monkeypatch):
    texts = dict(_drawn(_content(), monkeypatch)[0])
    line = texts["noisy vs reference"].height()  # a cell on one line
    cell = texts[UNBROKEN]
    assert cell.height() >= 2 * line  # wrapped within its one word...
    assert cell.right() <= texts["rows 1000-2549, cols 1300-2499"].left()  # ...in its column
    below = texts["PSNR and SSIM on a data range of 4095."]
    assert below.top() >= cell.bottom()  # the row as tall as it
