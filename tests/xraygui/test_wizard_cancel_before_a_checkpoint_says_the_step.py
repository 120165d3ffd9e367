"""A run cancelled before its first checkpoint says the step it got to, and not as if
that step were the end of the run; the line wraps rather than being cut off."""

import json
import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from xraygui.wizard import process as process_module
from xraygui.wizard.run_page import RunPage

pytestmark = pytest.mark.gui


def test_the_cancelled_status_names_the_step_and_the_checkpoint_not_written(
    qtbot, monkeypatch, new_run_spec, answer_next_box
):
    spec = new_run_spec(steps=400, checkpoint_every=20)

    def logged_step_20(spec, *, resume):
        """A run that logged step 20, then validates for a long while (no checkpoint yet)."""
        record = {"step": 20, "loss": 0.5, "elapsed_s": 1.0}
        spec.config.metrics_path.write_text(json.dumps(record) + "\n")
        return sys.executable, ["-c", "import time; time.sleep(60)"]

    monkeypatch.setattr(process_module, "training_command", logged_step_20)
    page = RunPage()
    qtbot.addWidget(page)
    page.start(spec)
    qtbot.waitUntil(lambda: bool(page.losses), timeout=20_000)
    answer_next_box(QMessageBox.StandardButton.Yes)  # "Stop now": its 20 steps are lost
    page.cancel_button.click()
    qtbot.waitUntil(lambda: page.process.state == "cancelled", timeout=20_000)
    text = page.status.text()
    assert text == (
        "Cancelled after step 20, before its first checkpoint was written (one every 20 "
        "steps): nothing to resume."
    )
    assert "of 20" not in text
    assert page.status.wordWrap()
    assert page.resume_button.text() == "Start again"
