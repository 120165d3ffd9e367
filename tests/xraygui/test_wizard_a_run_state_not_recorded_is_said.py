"""A run's state that cannot be written (a full disk) is said; the run goes on."""

import os

import pytest

from core.errors import ImageWriteError
from xraygui.wizard.process import TrainingProcess
from xraygui.wizard.runs import RUN_FILE, write_run

pytestmark = pytest.mark.gui


def block_run_file(spec):
    """Make ``run.json`` a folder: writing it fails, for root too, as on a full disk."""
    path = spec.folder / RUN_FILE
    path.mkdir()
    return path


def test_a_run_file_not_written_leaves_no_temporary_file(new_run_spec):
    spec = new_run_spec()
    path = block_run_file(spec)
    with pytest.raises(ImageWriteError, match=f"^{path}: is a folder$"):
        write_run(spec, "paused")
    assert os.listdir(spec.folder) == [RUN_FILE]


def test_a_process_state_not_recorded_is_said_and_still_changes(qtbot, new_run_spec):
    spec = new_run_spec()
    path = block_run_file(spec)
    process = TrainingProcess()
    lines, states = [], []
    process.output.connect(lines.append)
    process.stateChanged.connect(states.append)
    process.adopt(spec, "paused")
    assert states == ["paused"] and process.state == "paused"
    assert lines == [f"the run's state (paused) could not be recorded: {path}: is a folder\n"]
