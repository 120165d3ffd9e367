"""After a pause the Run page says the checkpoint's step, the one a resume goes on from."""

import json
import signal
import sys

import pytest

from xraygui.wizard import process as process_module
from xraygui.wizard.run_page import RunPage

pytestmark = pytest.mark.gui


def test_a_paused_run_says_resume_from_its_checkpoint_step(
    qtbot, monkeypatch, new_run_spec, write_checkpoint
):
    spec = new_run_spec()

    def paused_at_23(spec, *, resume):
        """A run that logged step 20, paused at step 23 with its checkpoint, and exited."""
        write_checkpoint(spec, 23)
        record = {"step": 20, "loss": 0.5, "elapsed_s": 1.0}
        spec.config.metrics_path.write_text(json.dumps(record) + "\n")
        code = f"import sys; sys.exit({128 + signal.SIGTERM})"
        return sys.executable, ["-c", code]

    monkeypatch.setattr(process_module, "training_command", paused_at_23)
    page = RunPage()
    qtbot.addWidget(page)
    page.start(spec)
    qtbot.waitUntil(lambda: page.process.state == "paused", timeout=20_000)
    assert page.losses[-1][0] == 20
    assert page.status.text() == "paused: Resume from step 23 (its checkpoint)"
