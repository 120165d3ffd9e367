"""Closing the wizard while its run pauses: the app's quit, a failure and Start again."""

import sys
import textwrap

import pytest

from core.training.control import stop_path
from xraygui.wizard import process as process_module
from xraygui.wizard.lock import run_lock
from xraygui.wizard.runs import RunSpec
from xraygui.wizard.wizard import TrainWizard

pytestmark = pytest.mark.gui

STOPS_WHEN_ASKED = textwrap.dedent(
    """
    import os, sys, time
    stop, status, delay, line = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    while not os.path.exists(stop):
        time.sleep(0.02)
    time.sleep(delay)
    print(line, flush=True)
    sys.exit(status)
    """
)
"""A stand-in training process: stops when its stop file appears, after `delay` seconds."""


def _spec(tmp_path):
    folder = tmp_path / "runs" / "run"
    folder.mkdir(parents=True, exist_ok=True)
    return RunSpec(
        data=tmp_path, folder=folder, steps=100_000, minutes=None, batch_size=1,
        patch_size=16, device="cpu", architecture="tiny", log_every=1, val_every=0,
        threads=1, checkpoint_every=100_000,
    )  # fmt: skip


def _stand_in(monkeypatch, status, delay, line=""):
    def command(spec, *, resume):
        stop = str(stop_path(spec.output))
        return sys.executable, ["-c", STOPS_WHEN_ASKED, stop, str(status), str(delay), line]

    monkeypatch.setattr(process_module, "training_command", command)


def test_quitting_the_app_while_the_wizard_pauses_lets_the_run_pause(
    window, qtbot, tmp_path, monkeypatch
):
    _stand_in(monkeypatch, 143, 1.5)
    wizard = window.open_train_wizard()
    assert wizard.run_page.process.start(_spec(tmp_path))
    qtbot.wait(300)
    wizard.reject()  # the run starts pausing (1.5 s to its checkpoint)
    assert wizard.closing
    window.close()  # then the app is quit
    qtbot.waitUntil(lambda: not wizard.run_page.process.is_running(), timeout=10000)
    assert wizard.run_page.process.state == "paused"


def test_a_run_that_fails_while_the_wizard_closes_keeps_the_wizard_open(
    qtbot, tmp_path, monkeypatch
):
    _stand_in(monkeypatch, 1, 0.0, "RuntimeError: checkpoint write failed: disk full")
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.run_page.process.start(_spec(tmp_path))
    qtbot.wait(200)
    wizard.reject()
    qtbot.waitUntil(lambda: not wizard.run_page.process.is_running(), timeout=10000)
    qtbot.wait(50)
    assert wizard.run_page.process.state == "failed"
    assert wizard.isVisible() and not wizard.closing
    assert "disk full" in wizard.run_page.log.toPlainText()


def test_start_again_leaves_the_metrics_of_a_run_trained_elsewhere(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(
        process_module,
        "training_command",
        lambda spec, *, resume: (sys.executable, ["-c", "import sys; sys.exit(1)"]),
    )
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    spec = _spec(tmp_path)
    page = wizard.run_page
    page.start(spec)
    qtbot.waitUntil(lambda: not page.process.is_running(), timeout=10000)
    spec.config.metrics_path.write_text('{"step": 1, "loss": 0.5}\n')
    other = run_lock(spec.folder)  # another app trains the run now
    assert other.tryLock(0)
    try:
        page.resume()
        assert "trained elsewhere" in page.status.text()
        assert spec.config.metrics_path.read_text() == '{"step": 1, "loss": 0.5}\n'
    finally:
        other.unlock()
