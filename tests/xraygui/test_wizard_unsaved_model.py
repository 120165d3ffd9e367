"""A finished model is never thrown away unasked: Save / Discard / Back, and Open result later."""

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from core.diffusion import card_path
from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.runs import RunSpec, read_run, scan_runs, write_run
from xraygui.wizard.wizard import RESULT, TrainWizard

pytestmark = pytest.mark.gui

VALIDATION = {
    "step": 4,
    "n_images": 2,
    "crop_sides": {"64": 2},
    "n_left_out": 0,
    "scores": [{"scale": 1.0, "noisy_psnr_db": 20.0, "noisy_psnr": 20.1, "psnr": 25.0,
                "ssim": 0.8}],
}  # fmt: skip


def finished_run(root, model_path, *, name="20260101-093000-data", patients=1, state="finished"):
    """A run folder as a finished training leaves it: model, card, checkpoint, metrics."""
    folder = root / name
    folder.mkdir(parents=True)
    spec = RunSpec(data=root.parent / "data", folder=folder, steps=4, minutes=None,
                   batch_size=2, patch_size=16)  # fmt: skip
    shutil.copy(model_path, spec.output)
    card = json.loads(card_path(model_path).read_text())
    card["training"] = {"steps_done": 4, "elapsed_s": 1.0, "settings": {"time_budget_s": None}}
    card["data"] = {"n_val_patients": patients}
    card_path(spec.output).write_text(json.dumps(card))
    spec.config.checkpoint_path.write_bytes(b"\0" * 3_000_000)
    spec.config.metrics_path.write_text(json.dumps({"step": 4, "validation": VALIDATION}) + "\n")
    write_run(spec, state)
    return spec


@pytest.fixture
def wizard(qtbot, tmp_path):
    def make():
        wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
        qtbot.addWidget(wizard)
        wizard.show()
        return wizard

    return make


def test_a_finished_unsaved_run_is_offered_and_discard_asks_first(
    wizard, tmp_path, tiny_model_path, answer_next_box
):
    spec = finished_run(tmp_path / "runs", tiny_model_path)
    found = scan_runs(tmp_path / "runs")
    assert found.unsaved() == [spec] and found.unfinished() == []
    first = wizard()
    assert spec.folder.name in first.data_page.result_label.text()
    first.data_page.resultRequested.emit(spec)
    assert first.currentId() == RESULT and first.result_page.spec == spec

    answer_next_box(QMessageBox.StandardButton.Cancel)  # "Back": stays open, nothing lost
    first.reject()
    assert first.isVisible() and spec.output.is_file()
    answer_next_box(QMessageBox.StandardButton.Discard)
    first.reject()
    assert not first.isVisible() and not spec.folder.exists()
    assert scan_runs(tmp_path / "runs").unsaved() == []


def test_finish_with_an_unsaved_model_can_save_it(
    wizard, tmp_path, tiny_model_path, answer_next_box
):
    spec = finished_run(tmp_path / "runs", tiny_model_path)
    first = wizard()
    first.open_result(spec)
    saved = []
    first.modelSaved.connect(saved.append)
    answer_next_box(QMessageBox.StandardButton.Save)
    first.accept()  # Finish
    assert not first.isVisible()
    assert saved == [tmp_path / "models" / "model-20260101-093000.safetensors"]
    assert read_run(spec.folder)[1] == "saved" and scan_runs(tmp_path / "runs").unsaved() == []
    again = wizard()
    assert not hasattr(again.data_page, "result_label")
    again.reject()  # nothing unsaved: closes without asking
    assert not again.isVisible()


def test_after_save_the_run_folder_can_be_deleted_once_asked(
    qtbot, tmp_path, tiny_model_path, answer_next_box
):
    spec = finished_run(tmp_path / "runs", tiny_model_path)
    spec.output.with_suffix(".log").write_text("patient MRN123456: /data/Jane Doe/1.dcm\n")
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(spec)
    assert page.name.text() == "model-20260101-093000"  # with the time: a second run differs
    assert page.delete_button.isHidden()
    saved = page.save()
    assert saved is not None
    assert not page.delete_button.isHidden() and "(3 MB)" in page.delete_button.text()
    assert page.delete_button.text().startswith("Delete the run folder")
    assert "model.log" in page.delete_button.toolTip()

    answer_next_box(QMessageBox.StandardButton.Cancel)  # asked first: nothing deleted
    page.delete_button.click()
    assert spec.folder.is_dir() and not page.delete_button.isHidden()
    answer_next_box(QMessageBox.StandardButton.Yes)  # "Delete"
    page.delete_button.click()
    assert not spec.folder.exists() and saved.is_file() and card_path(saved).is_file()
    assert "Run folder deleted (3 MB freed)" in page.message.text()
    assert page.delete_button.isHidden() and not page.save_button.isEnabled()


def test_a_run_folder_that_cannot_be_wholly_deleted_is_named(
    qtbot, tmp_path, tiny_model_path, answer_next_box, monkeypatch
):
    import xraygui.wizard.runs as runs

    spec = finished_run(tmp_path / "runs", tiny_model_path)
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(spec)
    assert page.save() is not None
    log = spec.output.with_suffix(".log")
    log.write_text("log")

    def refuse(path, *args, **kwargs):
        if Path(path) != log:
            return unlink(path, *args, **kwargs)
        raise PermissionError(13, "Permission denied", str(path))

    unlink = runs.os.unlink
    monkeypatch.setattr(runs.os, "unlink", refuse)
    answer_next_box(QMessageBox.StandardButton.Yes)
    page.delete_button.click()
    monkeypatch.undo()
    assert sorted(p.name for p in spec.folder.iterdir()) == [log.name]  # all else is gone
    assert page.message.text() == (
        f"The run folder was not wholly deleted: {log}: Permission denied"
    )


@pytest.mark.parametrize(("patients", "warned"), [(1, True), (3, False)])
def test_the_result_says_what_was_scored(qtbot, tmp_path, tiny_model_path, patients, warned):
    spec = finished_run(tmp_path / "runs", tiny_model_path, patients=patients)
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(spec)
    text = page.message.text()
    assert f"Scored on 2 held-out images (one centred crop each: 2 of 64 px) of {patients} " in text
    assert ("Fewer than 3 patients were held out" in text) == warned


def test_a_model_saved_whose_state_was_not_recorded_is_not_offered_again(
    wizard, tmp_path, tiny_model_path, monkeypatch
):
    import xraygui.wizard.result_page as result_page

    spec = finished_run(tmp_path / "runs", tiny_model_path)
    first = wizard()
    first.open_result(spec)
    # run.json cannot be written (a full disk): it still says "finished".
    monkeypatch.setattr(result_page, "record_state", lambda spec, state: "run.json: full")
    assert first.result_page.save() is not None
    assert read_run(spec.folder)[1] == "finished"
    monkeypatch.setattr(first, "_settle_unsaved", lambda: True)  # no modal box at teardown
    assert first.unsaved_run() is None  # saved here: Finish would ask nothing
