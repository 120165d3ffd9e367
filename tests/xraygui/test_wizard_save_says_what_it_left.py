"""Save to my models: a half-saved model is named, a model saved is announced even when the
run's state cannot be recorded."""

import json
import shutil

import pytest

from core.diffusion import card_path
from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.runs import RUN_FILE, RunSpec, write_run

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot, tmp_path, tiny_model_path):
    """The Result page of a finished run, its model to be saved as ``mine``."""
    folder = tmp_path / "runs" / "20260101-093000-data"
    folder.mkdir(parents=True)
    spec = RunSpec(data=tmp_path / "data", folder=folder, steps=4, minutes=None,
                   batch_size=2, patch_size=16)  # fmt: skip
    shutil.copy(tiny_model_path, spec.output)
    card = json.loads(card_path(tiny_model_path).read_text())
    card["training"] = {"steps_done": 4, "elapsed_s": 1.0, "settings": {"time_budget_s": None}}
    card_path(spec.output).write_text(json.dumps(card))
    write_run(spec, "finished")
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(spec)
    page.name.setText("mine")
    return page


@pytest.mark.parametrize(
    ("alone", "missing", "what"),
    [("mine.safetensors", "mine.json", "card"), ("mine.json", "mine.safetensors", "weights")],
)
def test_a_lone_weights_or_card_file_is_named_and_said_to_be_incomplete(
    page, tmp_path, alone, missing, what
):
    models = tmp_path / "models"
    models.mkdir()
    (models / alone).write_bytes(b"left by a save killed half way")
    assert page.save() is None
    assert page.message.text() == (
        f"Not saved: {models / alone}: an interrupted save left it without its {what} "
        f"({missing}); remove it or choose another name"
    )
    assert sorted(p.name for p in models.iterdir()) == [alone]


def test_a_whole_model_of_that_name_is_said_to_exist(page, tmp_path):
    target = tmp_path / "models" / "mine.safetensors"
    assert page.save() == target
    assert page.save() is None
    assert page.message.text() == (
        f"Not saved: {target}: a model of that name exists; choose another name"
    )


def test_a_model_saved_is_announced_when_the_runs_state_is_not_recorded(page, tmp_path):
    run_file = page.spec.folder / RUN_FILE
    run_file.unlink()
    run_file.mkdir()  # writing it fails, for root too, as on a full disk
    saved = []
    page.saved.connect(saved.append)
    page.save_button.click()
    target = tmp_path / "models" / "mine.safetensors"
    assert saved == [target] and target.is_file() and card_path(target).is_file()
    assert page.message.text() == (
        f"Saved {target}; it is now in the model picker (the run's state could not be "
        f"recorded: {run_file}: is a folder)."
    )
    assert sorted(p.name for p in page.spec.folder.iterdir()) == [
        "model.json", "model.safetensors", RUN_FILE,
    ]  # fmt: skip
