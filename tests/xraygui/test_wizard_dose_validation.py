"""The wizard's Noise page sets the training's validation at doses, and shows its scores."""

import json
from pathlib import Path

import pytest

from core.training.__main__ import build_config
from core.training.arguments import training_parser
from xraygui.wizard import process as process_module
from xraygui.wizard.noise_page import HONEST_NOTE
from xraygui.wizard.result_page import ResultPage, save_model_copy
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import RunSpec, validation_doses
from xraygui.wizard.wizard import TrainWizard

pytestmark = pytest.mark.gui


def _gaussian(step: int, at_doses: dict | None = None) -> dict:
    level = {"noisy_psnr_db": 43.0, "sigma": 0.01, "scale": 1.0}
    scores = [{**level, "noisy_psnr": 43.0, "psnr": 44.0 + step / 100, "ssim": 0.98}]
    validation = {"step": step, "n_images": 1, "crop_sides": {"64": 1}, "scores": scores}
    return validation | ({} if at_doses is None else {"at_doses": at_doses})


def _at_doses(step: int) -> dict:
    scores = [
        {"dose": dose, "n_images": 1, "noisy_psnr": noisy, "psnr": noisy + 2 + step / 100,
         "ssim": 0.9}
        for dose, noisy in ((0.05, 33.0), (0.112, 37.0), (0.25, 40.0))
    ]  # fmt: skip
    settings = {"doses": [0.05, 0.112, 0.25], "photons_per_pixel": 50_000.0,
                "electronic_noise": 6.0, "seed": 0, "crop": 256, "views": 1}  # fmt: skip
    return {"step": step, "settings": settings, "n_left_out": 0, "scores": scores}


def _spec(tmp_path: Path, **changes) -> RunSpec:
    folder = tmp_path / "run"
    folder.mkdir(exist_ok=True)
    settings = {"data": tmp_path, "folder": folder, "steps": 4, "minutes": None,
                "batch_size": 2, "patch_size": 16}  # fmt: skip
    return RunSpec(**(settings | changes))


def test_three_doses_spread_over_the_range():
    assert validation_doses(0.1, 0.5) == (0.1, 0.224, 0.5)
    assert validation_doses(0.5, 0.02) == (0.02, 0.1, 0.5)
    assert validation_doses(0.3, 0.3) == (0.3,)


def test_the_wizard_passes_the_noise_pages_doses_to_the_training(qtbot, tmp_path):
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    page = wizard.noise_page
    page.dose_low.setValue(25.0)
    page.dose_high.setValue(5.0)
    page.electronic.setValue(6.5)
    assert page.validation_doses() == (0.05, 0.112, 0.25)
    assert "5 %, 11.2 %, 25 %" in page.doses.text()
    spec = wizard.spec(tmp_path / "run")
    for resume in (False, True):
        _program, args = process_module.training_command(spec, resume=resume)
        config = build_config(training_parser("train").parse_args(args[2:]))
        assert config.val_doses == (0.05, 0.112, 0.25)
        assert config.val_electronic_noise == 6.5


def test_the_note_says_what_the_settings_now_do():
    assert "do not change what the model is trained on" not in HONEST_NOTE
    assert "learns all noise levels" in HONEST_NOTE  # training noise is still Gaussian
    assert "second validation" in HONEST_NOTE and "blind noise estimate" in HONEST_NOTE


def test_the_run_page_draws_the_scores_at_doses(qtbot, tmp_path):
    spec = _spec(tmp_path)
    records = [
        {"step": 2, "validation": _gaussian(2, _at_doses(2))},
        {"step": 4, "validation": _gaussian(4)},  # a run without doses, or not yet
    ]
    spec.config.metrics_path.write_text("".join(json.dumps(r) + "\n" for r in records))
    page = RunPage()
    qtbot.addWidget(page)
    page._reset(spec)
    page.poll()
    assert [v[0] for v in page.validations] == [2, 4]
    assert page.dose_validations == [(2, pytest.approx(110 / 3 + 2.02), pytest.approx(0.9))]
    assert list(page.dose_psnr_curve.getData()[0]) == [2]


def test_the_result_page_shows_the_scores_at_doses_beside_the_start(qtbot, tmp_path):
    spec = _spec(tmp_path, dose_range=(0.05, 0.25), electronic_noise=6.0)
    records = [
        {"step": 0, "validation": _gaussian(0, _at_doses(0))},
        {"step": 4, "validation": _gaussian(4, _at_doses(4))},
    ]
    spec.config.metrics_path.write_text("".join(json.dumps(r) + "\n" for r in records))
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(spec)
    assert page.table.rowCount() == 1  # the Gaussian levels keep their table
    table = page.dose_table
    assert not table.isHidden() and table.rowCount() == 3
    row = [table.item(0, j).text() for j in range(table.columnCount())]
    assert row == ["5 %", "1", "33.00", "35.00", "0.9000", "35.04", "0.9000"]
    assert "50,000 quanta" in page.message.text() and "blind" in page.message.text()
    # A run validated without doses shows no such table.
    spec.config.metrics_path.write_text(json.dumps({"step": 4, "validation": _gaussian(4)}) + "\n")
    page.show_run(spec)
    assert page.dose_table.isHidden()


def test_a_saved_model_says_it_was_validated_at_the_doses(tmp_path, tiny_model_path):
    spec = _spec(tmp_path, dose_range=(0.5, 0.1))
    spec.output.write_bytes(tiny_model_path.read_bytes())
    card = json.loads(tiny_model_path.with_suffix(".json").read_text())
    card["validation"] = _gaussian(4, _at_doses(4))  # the run validated at doses
    spec.output.with_suffix(".json").write_text(json.dumps(card))
    saved = save_model_copy(spec, tmp_path / "models", "mine")
    noise = json.loads(saved.with_suffix(".json").read_text())["training"]["wizard_noise"]
    assert noise["validation_doses"] == [0.1, 0.224, 0.5]
    assert "recorded only" not in noise["note"]
