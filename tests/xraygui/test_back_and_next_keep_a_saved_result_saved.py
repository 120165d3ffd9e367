"""Back then Next on the Result page keeps a model saved there shown as saved.

The page was filled afresh on each entry: Save offered again under a "-2" name, and a
second save added a duplicate model.
"""

import json
import shutil

import pytest

from core.diffusion import card_path
from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.runs import RunSpec, write_run
from xraygui.wizard.wizard import RESULT, RUN, TrainWizard

pytestmark = pytest.mark.gui

VALIDATION = {
    "step": 4,
    "n_images": 2,
    "crop_sides": {"64": 2},
    "n_left_out": 0,
    "scores": [
        {"scale": 1.0, "noisy_psnr_db": 20.0, "noisy_psnr": 20.1, "psnr": 25.0, "ssim": 0.8}
    ],
}


def finished_run(root, model_path, *, name="20260101-093000-data"):
    """A run folder as a finished training leaves it: model, card, metrics."""
    folder = root / name
    folder.mkdir(parents=True)
    spec = RunSpec(
        data=root.parent / "data", folder=folder, steps=4, minutes=None, batch_size=2,
        patch_size=16,
    )  # fmt: skip
    shutil.copy(model_path, spec.output)
    card = json.loads(card_path(model_path).read_text())
    card["training"] = {"steps_done": 4, "elapsed_s": 1.0, "settings": {"time_budget_s": None}}
    card["data"] = {"n_val_patients": 1}
    card_path(spec.output).write_text(json.dumps(card))
    spec.config.metrics_path.write_text(json.dumps({"step": 4, "validation": VALIDATION}) + "\n")
    write_run(spec, "finished")
    return spec


def test_back_and_next_keep_the_save_and_add_no_duplicate(qtbot, tmp_path, tiny_model_path):
    spec = finished_run(tmp_path / "runs", tiny_model_path)
    models = tmp_path / "models"
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=models)
    qtbot.addWidget(wizard)
    wizard.run_page.process.adopt(spec, "finished")
    wizard.setStartId(RUN)
    wizard.restart()
    wizard.show()
    wizard.next()
    page = wizard.result_page
    assert wizard.currentId() == RESULT and page.spec == spec
    saved = page.save()
    assert saved is not None
    said, name = page.message.text(), page.name.text()
    wizard.back()
    wizard.next()
    assert wizard.currentId() == RESULT
    assert (page.name.text(), page.message.text()) == (name, said)
    assert not page.delete_button.isHidden()
    page.save_button.click()  # the same name: refused, no second copy
    assert "exists" in page.message.text()
    assert sorted(p.name for p in models.glob("*.safetensors")) == [saved.name]


def test_another_run_is_shown_afresh(qtbot, tmp_path, tiny_model_path):
    first = finished_run(tmp_path / "runs", tiny_model_path)
    second = finished_run(tmp_path / "runs", tiny_model_path, name="20260102-093000-data")
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(first)
    assert page.save() is not None
    page.show_run(second)
    assert page.spec == second and page.delete_button.isHidden()
    assert page.save_button.isEnabled() and "Saved" not in page.message.text()
