"""A run resumed with other doses: scores pair by dose, and the Run page's curve restarts.

The starting model was scored at dose 0.5 only, the new one at 0.2 and 0.5 (``--val-doses``
changed on ``--resume``). The Result page shows the start's 0.5 score beside the new 0.5
score, and none beside 0.2; the Run page does not join the mean over one set of doses to
the mean over another, and its log says why.
"""

import json
import math
from pathlib import Path

import pytest

from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import RunSpec

pytestmark = pytest.mark.gui

SETTINGS = {"photons_per_pixel": 50_000.0, "electronic_noise": 4.0, "seed": 0, "crop": 64,
            "views": 1}  # fmt: skip


def _validation(step: int, doses: dict[float, float], **settings) -> dict:
    level = {"noisy_psnr_db": 43.0, "sigma": 0.01, "scale": 1.0}
    scores = [{**level, "noisy_psnr": 43.0, "psnr": 44.0, "ssim": 0.98}]
    at_doses = {
        "step": step,
        "settings": {"doses": list(doses), **SETTINGS, **settings},
        "n_left_out": 0,
        "scores": [
            {"dose": d, "n_images": 3, "noisy_psnr": psnr - 1, "psnr": psnr, "ssim": 0.9}
            for d, psnr in doses.items()
        ],
    }
    return {"step": step, "n_images": 3, "crop_sides": {"64": 3}, "scores": scores,
            "at_doses": at_doses}  # fmt: skip


def _spec(tmp_path: Path, records: list[dict]) -> RunSpec:
    folder = tmp_path / "run"
    folder.mkdir(exist_ok=True)
    spec = RunSpec(data=tmp_path, folder=folder, steps=6, minutes=None, batch_size=2,
                   patch_size=16)  # fmt: skip
    lines = [json.dumps({"step": r["step"], "validation": r}) + "\n" for r in records]
    spec.config.metrics_path.write_text("".join(lines))
    return spec


def _rows(table) -> list[list[str]]:
    return [
        [table.item(i, j).text() for j in range(table.columnCount())]
        for i in range(table.rowCount())
    ]


def test_the_result_page_pairs_start_and_new_scores_by_dose(qtbot, tmp_path):
    start = _validation(0, {0.5: 46.83})
    new = _validation(6, {0.2: 40.45, 0.5: 46.86})
    spec = _spec(tmp_path, [start, new])
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(spec)
    assert _rows(page.dose_table) == [
        ["20 %", "3", "39.45", "-", "-", "40.45", "0.9000"],
        ["50 %", "3", "45.86", "46.83", "0.9000", "46.86", "0.9000"],
    ]
    assert "other settings" not in page.message.text()


def test_a_start_scored_with_other_quanta_shows_no_start_scores(qtbot, tmp_path):
    start = _validation(0, {0.5: 46.83}, photons_per_pixel=9000.0)
    spec = _spec(tmp_path, [start, _validation(6, {0.5: 46.86})])
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(spec)
    assert _rows(page.dose_table) == [["50 %", "3", "45.86", "-", "-", "46.86", "0.9000"]]
    assert "photons per pixel 9000 -> 50000" in page.message.text()


def test_the_run_pages_dose_curve_restarts_where_the_doses_change(qtbot, tmp_path):
    spec = _spec(
        tmp_path,
        [
            _validation(2, {0.5: 46.83}),
            _validation(4, {0.5: 46.83}),
            _validation(6, {0.2: 40.45, 0.5: 46.86}),
        ],
    )
    page = RunPage()
    qtbot.addWidget(page)
    page._reset(spec)
    page.poll()
    steps, psnr = page.dose_psnr_curve.getData()
    assert list(steps) == [2, 4, 6, 6]
    assert psnr[:2].tolist() == [46.83, 46.83] and math.isnan(psnr[2])
    assert psnr[3] == pytest.approx((40.45 + 46.86) / 2)
    assert "step 6: the validation at doses changed (doses 0.5 -> 0.2, 0.5)" in (
        page.log.toPlainText()
    )
    page._reset(spec)  # followed again from the start: the same curve
    page.poll()
    assert list(page.dose_psnr_curve.getData()[0]) == [2, 4, 6, 6]
