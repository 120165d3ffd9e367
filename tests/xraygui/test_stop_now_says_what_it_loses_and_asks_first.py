"""The Run page's own stop is "Stop now", unlike the wizard's Cancel (which pauses).

It kills the run, losing the steps since its last checkpoint: its tooltip says so, and
it asks first where more than a few steps would be lost.
"""

import json
import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from xraygui.wizard import process as process_module
from xraygui.wizard.run_page import FEW_STEPS, STOP_NOW, RunPage

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot, monkeypatch):
    monkeypatch.setattr(
        process_module,
        "training_command",
        lambda spec, *, resume: (sys.executable, ["-c", "import time; time.sleep(60)"]),
    )
    page = RunPage()
    qtbot.addWidget(page)
    return page


def _logged(page, spec, step):
    spec.config.metrics_path.write_text(json.dumps({"step": step, "loss": 0.5}) + "\n")
    page.start(spec)
    page.poll()


def test_the_button_is_named_stop_now_and_says_what_is_lost(page):
    assert page.cancel_button.text() == STOP_NOW
    assert "steps since its last checkpoint are lost" in page.cancel_button.toolTip()
    assert "Cancel" not in page.subTitle()


def test_many_steps_lost_are_asked_about_and_keep_training_keeps_it(
    qtbot, page, new_run_spec, write_checkpoint, answer_next_box
):
    spec = new_run_spec()
    write_checkpoint(spec, 200)
    _logged(page, spec, 260)
    answer_next_box(QMessageBox.StandardButton.Cancel)  # "Keep training"
    page.cancel_button.click()
    assert page.process.is_running()
    answer_next_box(QMessageBox.StandardButton.Yes)  # "Stop now"
    with qtbot.waitSignal(page.stateChanged, timeout=10_000) as blocker:
        page.cancel_button.click()
    assert blocker.args == ["cancelled"]


def test_a_few_steps_lost_stop_at_once(qtbot, page, new_run_spec, write_checkpoint, monkeypatch):
    spec = new_run_spec()
    write_checkpoint(spec, 200)
    _logged(page, spec, 200 + FEW_STEPS)
    monkeypatch.setattr(page, "_confirm_stop_now", lambda lost, kept: pytest.fail("asked"))
    with qtbot.waitSignal(page.stateChanged, timeout=10_000) as blocker:
        page.cancel_button.click()
    assert blocker.args == ["cancelled"]
