"""A run whose app died is listed, followed and stopped; when its process ends it is taken over."""

import json
import shutil

import pytest
from PySide6.QtWidgets import QMessageBox

from core.diffusion import card_path
from core.training.control import TrainingLock, stop_path
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import (
    read_run,
    run_state,
    scan_runs,
    write_run,
)
from xraygui.wizard.wizard import RUN, TrainWizard

pytestmark = pytest.mark.gui


@pytest.fixture
def spec(new_run_spec):
    """A run of 20 steps with a checkpoint every 10, named as the wizard names runs."""
    return new_run_spec("20260101-093000-data", steps=20, checkpoint_every=10)


def _model(spec, model_path, steps_done):
    """The model and card a training process writes at a checkpoint or at its end."""
    shutil.copy(model_path, spec.output)
    card = json.loads(card_path(model_path).read_text())
    card["training"] = {"steps_done": steps_done, "elapsed_s": 2.0, "settings": {}}
    card_path(spec.output).write_text(json.dumps(card))


def _losses(spec, *steps):
    with spec.config.metrics_path.open("a") as f:
        for step in steps:
            f.write(json.dumps({"step": step, "loss": 0.5, "elapsed_s": 1.0}) + "\n")


def test_a_run_trained_by_an_orphan_process_is_listed_followed_and_finished(
    qtbot, tmp_path, tiny_model_path, spec, write_checkpoint, answer_next_box
):
    write_run(spec, "running")  # its app died: no one will write its end
    write_checkpoint(spec, 10)
    _model(spec, tiny_model_path, 10)
    trainer = TrainingLock(spec.output).__enter__()  # the orphan training process's lock
    try:
        assert scan_runs(spec.folder.parent).trained_elsewhere() == [spec]
        assert scan_runs(spec.folder.parent).unfinished() == []
        wizard = TrainWizard(None, runs=spec.folder.parent, model_dir=tmp_path / "models")
        qtbot.addWidget(wizard)
        wizard.show()
        assert spec.folder.name in wizard.data_page.follow_label.text()
        wizard.data_page.followRequested.emit(spec)
        assert wizard.currentId() == RUN
        page = wizard.run_page
        assert page.status.text().startswith("Trained by another process")
        assert page.pause_button.text() == "Stop" and page.pause_button.isEnabled()
        assert not page.resume_button.isEnabled() and not page.cancel_button.isEnabled()
        _losses(spec, 12, 14)
        page.poll()
        assert [step for step, _ in page.losses] == [12, 14]
        assert page.status.text() == "trained by another process: step 14"
        page.pause_button.click()  # Stop: through its stop file
        assert stop_path(spec.output).exists() and not page.pause_button.isEnabled()
        _model(spec, tiny_model_path, 20)  # it ran to its last step anyway
    finally:
        trainer.__exit__(None, None, None)
    with qtbot.waitSignal(page.stateChanged, timeout=5_000) as blocker:
        page.poll()
    assert blocker.args == ["finished"] and page.isComplete()
    assert read_run(spec.folder)[1] == "finished" and page.pause_button.text() == "Pause"
    answer_next_box(QMessageBox.StandardButton.Discard)  # closing asks about the unsaved model
    wizard.reject()
    assert not wizard.isVisible() and not spec.folder.exists()


def test_a_followed_run_that_stopped_early_can_be_resumed(
    qtbot, tiny_model_path, spec, write_checkpoint
):
    write_run(spec, "running")
    write_checkpoint(spec, 10)
    _model(spec, tiny_model_path, 10)
    page = RunPage()
    qtbot.addWidget(page)
    with TrainingLock(spec.output):
        page.follow(spec)
    with qtbot.waitSignal(page.stateChanged, timeout=5_000) as blocker:
        page.poll()
    assert blocker.args == ["paused"] and read_run(spec.folder)[1] == "paused"
    assert page.resume_button.isEnabled() and page.process.spec == spec


def test_running_with_all_steps_done_and_no_process_is_finished(
    tiny_model_path, spec, write_checkpoint
):
    write_run(spec, "running")
    write_checkpoint(spec, 10)
    _model(spec, tiny_model_path, 10)
    assert run_state(spec, "running") == "running"  # crashed at step 10: resumable
    assert scan_runs(spec.folder.parent).unfinished() == [spec]
    _model(spec, tiny_model_path, 20)  # the orphan ended after its last step
    assert run_state(spec, "running") == "finished"
    found = scan_runs(spec.folder.parent)
    assert found.unfinished() == [] and found.unsaved() == [spec]
