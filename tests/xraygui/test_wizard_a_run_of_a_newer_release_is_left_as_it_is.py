"""A run whose checkpoint a later release wrote is neither resumed, started afresh nor marked.

Before, such a run was offered for resuming; once resumed, its checkpoint was refused as
unreadable, the run recorded ``stale`` (the later release then no longer offered it) and
Start afresh offered, which replaces the later release's checkpoint.
"""

import sys

import pytest
import torch
from safetensors.torch import save

from core.training.checkpoint import CHECKPOINT_FORMAT
from xraygui.wizard import process as process_module
from xraygui.wizard.run_page import CANNOT_RESUME_NEWER, RunPage
from xraygui.wizard.runs import (
    RUN_FILE,
    UnreadableRun,
    find_checkpoint,
    read_run,
    scan_runs,
    write_run,
)

NEWER = (
    "made by a newer xray-denoise (format version 2); this version reads up to 1: update to open it"
)


def newer(spec):
    """Write the run's checkpoint as a later release would: whole, of format version 2."""
    meta = {"format": CHECKPOINT_FORMAT, "version": "2", "step": "200", "config": "{}",
            "extra": "{}", "param_groups": "[]"}  # fmt: skip
    spec.config.checkpoint_path.write_bytes(save({"model/w": torch.zeros(1)}, metadata=meta))


@pytest.fixture
def commands(monkeypatch):
    """Record each training command's ``resume``; the process exits at once."""
    asked = []

    def quick(spec, *, resume):
        asked.append(resume)
        return sys.executable, ["-c", ""]

    monkeypatch.setattr(process_module, "training_command", quick)
    return asked


def test_it_is_told_apart_from_a_damaged_one(new_run_spec, write_checkpoint):
    spec = new_run_spec()
    newer(spec)
    assert find_checkpoint(spec).newer == NEWER
    assert find_checkpoint(spec).unreadable == f"{spec.config.checkpoint_path}: {NEWER}"
    write_checkpoint(spec, 23)
    assert find_checkpoint(spec).newer == ""
    path = spec.config.checkpoint_path
    path.write_bytes(path.read_bytes()[:100])  # damaged
    assert find_checkpoint(spec).unreadable and find_checkpoint(spec).newer == ""


def test_it_is_not_offered_but_named_with_the_unreadable(tmp_path, new_run_spec):
    spec = new_run_spec("20260101-093000-data")
    newer(spec)
    write_run(spec, "paused")
    assert scan_runs(tmp_path / "runs").unfinished() == []
    (run,) = scan_runs(tmp_path / "runs").unreadable
    assert run == UnreadableRun(spec.folder, f"its checkpoint was {NEWER}")
    assert run.message() == (
        f"Run folder 20260101-093000-data could not be read (its checkpoint was {NEWER}); "
        f"its checkpoint is at {spec.config.checkpoint_path}."
    )


@pytest.mark.gui
def test_a_resume_of_it_starts_nothing_and_changes_nothing(qtbot, new_run_spec, commands):
    """As the Data page's "Resume it" asks, from a list made before the checkpoint was."""
    spec = new_run_spec()
    newer(spec)
    write_run(spec, "paused")
    written = (spec.folder / RUN_FILE).read_bytes()
    page = RunPage()
    qtbot.addWidget(page)
    page.start(spec, resume=True)
    assert commands == [] and not page.process.is_running()
    assert page.status.text() == CANNOT_RESUME_NEWER
    assert page.log.toPlainText().splitlines()[-1] == (
        f"{spec.config.checkpoint_path}: {NEWER}. The run is left as it is, for that version "
        "to resume."
    )
    assert (spec.folder / RUN_FILE).read_bytes() == written
    assert not page.resume_button.isEnabled()


@pytest.mark.gui
def test_one_found_newer_once_paused_is_not_marked_stale_nor_started_afresh(
    qtbot, new_run_spec, write_checkpoint, commands
):
    spec = new_run_spec()
    write_checkpoint(spec, 23)
    page = RunPage()
    qtbot.addWidget(page)
    page.process.adopt(spec, "paused")
    assert page.resume_button.isEnabled()
    newer(spec)  # a later release resumed it meanwhile, and paused it again

    page.resume_button.click()
    assert commands == [] and page.status.text() == CANNOT_RESUME_NEWER
    assert read_run(spec.folder)[1] == "paused"
    assert not page.resume_button.isEnabled()
    assert page.resume_button.text() != "Start afresh"
    assert spec.config.checkpoint_path.is_file()


@pytest.mark.gui
def test_one_that_stops_without_a_readable_checkpoint_is_not_marked_stale(qtbot, new_run_spec):
    """The state a run stops in, with a checkpoint a later release wrote."""
    spec = new_run_spec()
    newer(spec)
    page = RunPage()
    qtbot.addWidget(page)
    page.process.adopt(spec, "paused")
    assert read_run(spec.folder)[1] == "paused" and not page.stale
    assert page.status.text() == CANNOT_RESUME_NEWER
    assert not page.resume_button.isEnabled()
