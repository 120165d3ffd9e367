"""The wizard shows doses in percent, as the main window does, and trains with fractions."""

import json
from pathlib import Path

import pytest

from core.training.__main__ import build_config
from core.training.arguments import training_parser
from xraygui.wizard import process as process_module
from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.runs import RunSpec
from xraygui.wizard.wizard import TrainWizard

pytestmark = pytest.mark.gui


def test_the_noise_page_takes_and_names_doses_in_percent(qtbot, tmp_path):
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    page = wizard.noise_page
    assert page.dose_low.suffix() == " %" and page.dose_high.suffix() == " %"
    assert page.dose_low.value() == 10.0 and page.dose_high.value() == 50.0
    page.set_image(None)  # names the doses
    assert "10 %, 22.4 %, 50 %" in page.doses.text()
    page.dose_low.setValue(22.4)  # the middle dose above, typed as shown
    assert page.dose_low.value() == 22.4
    assert page.dose_range() == (0.224, 0.5)
    page.dose_low.setValue(5.0)
    page.dose_high.setValue(25.0)
    assert page.validation_doses() == (0.05, 0.112, 0.25)
    assert "5 %, 11.2 %, 25 %" in page.doses.text()
    spec = wizard.spec(tmp_path / "run")
    assert spec.dose_range == (0.05, 0.25)
    _program, args = process_module.training_command(spec, resume=False)
    assert args[args.index("--val-doses") + 1] == "0.05,0.112,0.25"  # fractions
    config = build_config(training_parser("train").parse_args(args[2:]))
    assert config.val_doses == (0.05, 0.112, 0.25)


def test_the_result_pages_dose_column_is_in_percent(qtbot, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    spec = RunSpec(data=tmp_path, folder=folder, steps=4, minutes=None, batch_size=2,
                   patch_size=16)  # fmt: skip
    level = {"noisy_psnr_db": 43.0, "sigma": 0.01, "scale": 1.0}
    scores = [{**level, "noisy_psnr": 43.0, "psnr": 44.0, "ssim": 0.98}]
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
    page = ResultPage(Path(tmp_path / "models"))
    qtbot.addWidget(page)
    page.show_run(spec)
    column = [page.dose_table.item(i, 0).text() for i in range(page.dose_table.rowCount())]
    assert column == ["10 %", "22.4 %", "50 %"]
