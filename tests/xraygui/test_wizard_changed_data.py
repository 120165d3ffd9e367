"""A run whose data folder changed is recognised: Start afresh, never offered for resuming again."""

import sys
import textwrap

import pytest

from core.training.control import DATA_CHANGED_STATUS
from xraygui.wizard import process as process_module
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import read_run, scan_runs, write_run

pytestmark = pytest.mark.gui

REFUSAL = textwrap.dedent(
    """
    import sys
    print("ERROR __main__: cannot resume model.checkpoint.safetensors: the usable images "
          "differ from those the split was made of: 1 added (new image.png); put the folder "
          "back as it was, or start afresh (--overwrite)")
    sys.exit({status})
    """
).format(status=DATA_CHANGED_STATUS)
"""What ``python -m core.training --resume`` says and does when the folder changed."""


@pytest.fixture
def commands(monkeypatch):
    """Refuse a resume as training does when the data changed; a fresh start sleeps."""
    resumed = []

    def command(spec, *, resume):
        resumed.append(resume)
        code = REFUSAL if resume else "import time; time.sleep(30)"
        return sys.executable, ["-c", code]

    monkeypatch.setattr(process_module, "training_command", command)
    return resumed


@pytest.fixture
def paused_run(new_run_spec, write_checkpoint):
    """A run paused at step 20: its checkpoint and model are there."""
    spec = new_run_spec()
    write_checkpoint(spec, 20)
    spec.output.write_bytes(b"model")
    write_run(spec, "paused")
    return spec


def test_a_changed_folder_offers_start_afresh_and_is_no_longer_resumable(
    qtbot, commands, paused_run
):
    spec = paused_run
    assert scan_runs(spec.folder.parent).unfinished() == [spec]
    page = RunPage()
    qtbot.addWidget(page)
    page.start(spec, resume=True)
    qtbot.waitUntil(lambda: page.process.state == "failed", timeout=20_000)
    assert page.status.text() == "Cannot resume: the data folder has changed."
    log = page.log.toPlainText().splitlines()[-1]
    assert "Start afresh" in log and "--overwrite" not in log
    assert page.resume_button.text() == "Start afresh" and page.resume_button.isEnabled()
    assert read_run(spec.folder)[1] == "stale" and scan_runs(spec.folder.parent).unfinished() == []

    page.resume_button.click()  # on the current files: a fresh start in the run's folder
    assert commands == [True, False] and page.process.is_running()
    assert not spec.config.checkpoint_path.exists() and not spec.output.exists()
    page.process.cancel()
    qtbot.waitUntil(lambda: not page.process.is_running(), timeout=20_000)
