"""The Result page's tables are as tall as their rows, and its Level column is explained."""

import json

import pytest

from xraygui.wizard.result_page import LEVEL_TIP, ResultPage
from xraygui.wizard.runs import RunSpec

pytestmark = pytest.mark.gui


def _spec(tmp_path) -> RunSpec:
    folder = tmp_path / "run"
    folder.mkdir()
    spec = RunSpec(data=tmp_path, folder=folder, steps=4, minutes=None, batch_size=2,
                   patch_size=16)  # fmt: skip
    scores = [
        {"noisy_psnr_db": db, "sigma": 0.01, "scale": scale, "noisy_psnr": db, "psnr": db + 1,
         "ssim": 0.9}
        for scale in (1.0, 2.0) for db in (43.0, 36.0, 30.0)
    ]  # fmt: skip
    doses = [
        {"dose": d, "n_images": 1, "noisy_psnr": 40.0, "psnr": 41.0, "ssim": 0.9}
        for d in (0.1, 0.224, 0.5)
    ]
    settings = {"doses": [0.1, 0.224, 0.5], "photons_per_pixel": 50_000.0,
                "electronic_noise": 4.0, "seed": 0, "crop": 64, "views": 1}  # fmt: skip
    at_doses = {"step": 4, "settings": settings, "n_left_out": 0, "scores": doses}
    validation = {"step": 4, "n_images": 1, "crop_sides": {"64": 1}, "scores": scores,
                  "at_doses": at_doses}  # fmt: skip
    spec.config.metrics_path.write_text(json.dumps({"step": 4, "validation": validation}) + "\n")
    return spec


def test_each_table_shows_all_its_rows_and_no_blank_below(qtbot, tmp_path):
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.resize(820, 560)
    page.show_run(_spec(tmp_path))
    page.show()
    qtbot.waitExposed(page)
    for table in (page.table, page.dose_table):
        rows = sum(table.rowHeight(i) for i in range(table.rowCount()))
        assert table.verticalScrollBar().maximum() == 0  # every row shown
        assert table.viewport().height() - rows < table.rowHeight(0)  # no blank row's height
    assert page.table.rowCount() == 6


def test_the_level_column_is_explained(qtbot, tmp_path):
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(_spec(tmp_path))
    assert page.table.item(0, 0).text() == "x1, 43 dB"
    assert page.table.item(0, 0).toolTip() == LEVEL_TIP
    assert page.table.horizontalHeaderItem(0).toolTip() == LEVEL_TIP
    assert "magnified 2 times" in LEVEL_TIP and "noisy input" in LEVEL_TIP
