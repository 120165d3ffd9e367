"""A run the Run page cannot start, another process training it, is followed there.

The page said the run "can be resumed here once that stops", yet left every button off:
now it follows the other process's progress and takes the run back when it ends.
"""

import sys

import pytest

from xraygui.wizard import process as process_module
from xraygui.wizard.process import TrainingProcess
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import write_run

pytestmark = pytest.mark.gui


@pytest.fixture
def sleeping(monkeypatch):
    """Run a sleeping ``python -c`` instead of the training."""
    monkeypatch.setattr(
        process_module,
        "training_command",
        lambda spec, *, resume: (sys.executable, ["-c", "import time; time.sleep(30)"]),
    )


def test_a_refused_run_is_followed_and_resumable_once_the_other_stops(
    qtbot, sleeping, new_run_spec, write_checkpoint
):
    spec = new_run_spec()
    write_checkpoint(spec, 200)
    write_run(spec, "paused")
    other = TrainingProcess()
    assert other.start(spec, resume=True)
    page = RunPage()
    qtbot.addWidget(page)
    page.start(spec, resume=True)
    assert not page.process.is_running() and page.followed == spec
    assert page.pause_button.text() == "Stop" and page.pause_button.isEnabled()
    assert "following it here" in page.log.toPlainText()
    with qtbot.waitSignal(other.stateChanged, timeout=10_000):
        other.cancel()
    page.poll()  # as its timer would: the other's lock has gone
    assert page.followed is None and page.process.spec == spec
    assert page.process.state == "paused"
    assert page.resume_button.text() == "Resume" and page.resume_button.isEnabled()
