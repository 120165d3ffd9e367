"""The Result page says where a fine-tune fell at doses and counts each dose's images;
the Run page's mean curve leaves out dose 1, whose noisy PSNR is undefined."""

import json
from pathlib import Path

import pytest

from xraygui.wizard.metrics import mean_dose_scores
from xraygui.wizard.result_page import ResultPage, worse_than_start
from xraygui.wizard.runs import RunSpec

pytestmark = pytest.mark.gui

SETTINGS = {"photons_per_pixel": "measured", "electronic_noise": 4.0, "seed": 0, "crop": 64,
            "views": 1, "quanta": {"measured": 1, "fallback": 2,
                                   "fallback_photons_per_pixel": 50_000.0}}  # fmt: skip


def _validation(step: int, doses: dict[float, float | None]) -> dict:
    level = {"noisy_psnr_db": 43.0, "sigma": 0.01, "scale": 1.0}
    at_doses = {
        "step": step,
        "settings": {"doses": list(doses), **SETTINGS},
        "n_left_out": 0,
        "scores": [
            {"dose": d, "n_images": 3, "noisy_psnr": None if d == 1 else p - 3, "psnr": p,
             "ssim": 0.9}
            for d, p in doses.items()
        ],
    }  # fmt: skip
    return {"step": step, "n_images": 3, "crop_sides": {"64": 3}, "at_doses": at_doses,
            "scores": [{**level, "noisy_psnr": 43.0, "psnr": 44.0, "ssim": 0.98}]}  # fmt: skip


def test_the_message_names_the_doses_where_the_new_model_fell():
    said = worse_than_start(_validation(0, {0.05: 30.0}), _validation(4, {0.05: 29.0}))
    assert "1 dose (dose 0.05: -1.00 dB)" in said and "level" not in said


def test_the_dose_table_counts_the_images_and_says_how_the_quanta_were_chosen(qtbot, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    spec = RunSpec(data=tmp_path, folder=folder, steps=4, minutes=None, batch_size=2,
                   patch_size=16, init_model=Path("start.safetensors"))  # fmt: skip
    records = [_validation(0, {0.05: 30.0}), _validation(4, {0.05: 29.0})]
    lines = [json.dumps({"step": r["step"], "validation": r}) + "\n" for r in records]
    spec.config.metrics_path.write_text("".join(lines))
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(spec)
    table = page.dose_table
    assert table.horizontalHeaderItem(1).text() == "n" and table.item(0, 1).text() == "3"
    text = page.message.text()
    assert "quanta measured from each image's noise" in text
    assert "50,000 per unattenuated pixel for the 2 images" in text
    assert "dose 0.05: -1.00 dB" in text


def test_the_mean_curve_leaves_out_dose_one():
    noisy, psnr, _ssim = mean_dose_scores(_validation(2, {0.1: 30.0, 1.0: 50.0}))
    assert (noisy, psnr) == (27.0, 30.0)
