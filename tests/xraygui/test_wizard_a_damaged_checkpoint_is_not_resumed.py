"""A run's checkpoint that cannot be read (cut short, damaged) is said, and Start afresh offered."""

import json
import sys

import pytest

from core.training.checkpoint import DAMAGED
from xraygui.wizard import process as process_module
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import STALE, find_checkpoint, read_run

pytestmark = pytest.mark.gui

CANNOT = "Cannot resume: the run's checkpoint cannot be read."


@pytest.fixture
def commands(monkeypatch):
    """Record each training command's ``resume``; the process exits at once."""
    asked = []

    def quick(spec, *, resume):
        asked.append(resume)
        return sys.executable, ["-c", ""]

    monkeypatch.setattr(process_module, "training_command", quick)
    return asked


def damage(spec):
    """Cut the run's checkpoint short, as a copy stopped half way leaves it."""
    path = spec.config.checkpoint_path
    path.write_bytes(path.read_bytes()[:100])


def test_a_damaged_checkpoint_has_no_step_and_is_said_without_the_command_line(
    new_run_spec, write_checkpoint
):

    spec = new_run_spec()
    write_checkpoint(spec, 23)
    assert find_checkpoint(spec).unreadable == "" and find_checkpoint(spec).step == (23, 1.0)
    damage(spec)
    assert find_checkpoint(spec).step is None
    path = spec.config.checkpoint_path
    assert find_checkpoint(spec).unreadable == f"{path}: {DAMAGED.partition(';')[0]}"


def test_resume_of_a_checkpoint_damaged_since_the_pause_offers_start_afresh(
    qtbot, new_run_spec, write_checkpoint, commands
):
    spec = new_run_spec()
    write_checkpoint(spec, 23)
    page = RunPage()
    qtbot.addWidget(page)
    page.process.adopt(spec, "paused")
    assert page.resume_button.text() == "Resume" and page.resume_button.isEnabled()
    damage(spec)

    page.resume_button.click()
    assert commands == [] and not page.process.is_running()
    assert page.status.text() == CANNOT
    note = page.log.toPlainText().splitlines()[-1]
    assert note.startswith(f"{spec.config.checkpoint_path}: not a readable training checkpoint")
    assert note.endswith("Press Start afresh to train anew (the run's checkpoint and model are "
                         "replaced).")  # fmt: skip
    assert "--overwrite" not in note
    assert read_run(spec.folder)[1] == STALE  # not offered for resuming again
    assert page.resume_button.text() == "Start afresh" and page.resume_button.isEnabled()

    page.resume_button.click()  # Start afresh: a fresh run, the damaged checkpoint gone
    assert commands == [False] and not spec.config.checkpoint_path.exists()
    qtbot.waitUntil(lambda: page.process.state == "finished", timeout=20_000)


def test_the_wizards_resume_of_a_damaged_checkpoint_starts_nothing(
    qtbot, new_run_spec, write_checkpoint, commands
):
    """As the Data page's "Resume it" asks, for a run paused in an earlier session."""
    spec = new_run_spec()
    write_checkpoint(spec, 23)
    damage(spec)
    page = RunPage()
    qtbot.addWidget(page)
    page.start(spec, resume=True)
    assert commands == [] and not page.process.is_running()
    assert page.status.text() == CANNOT
    assert page.resume_button.text() == "Start afresh" and page.resume_button.isEnabled()
    assert json.loads((spec.folder / "run.json").read_text())["state"] == STALE
