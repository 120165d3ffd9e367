"""Pause and close on every OS (a stop file, not a signal), and the training process's own lock."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QProcess

from core.noise import phantom_image
from core.training.control import is_being_trained, lock_path, request_stop, stop_path
from xraygui.wizard import process as process_module
from xraygui.wizard import wizard as wizard_module
from xraygui.wizard.process import TrainingProcess
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import RunSpec, find_checkpoint, read_run, scan_runs
from xraygui.wizard.wizard import TrainWizard

pytestmark = pytest.mark.gui

FAKE = textwrap.dedent(
    """
    import os, sys, time
    stop, status, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    while not os.path.exists(stop):
        time.sleep(0.02)
    time.sleep(delay)
    sys.exit(status)
    """
)
"""A training stand-in: waits for its stop file, then exits with the status it is given."""


@pytest.fixture
def no_terminate(monkeypatch):
    """QProcess.terminate as on Windows, where its WM_CLOSE never reaches a console child."""
    calls = []
    monkeypatch.setattr(QProcess, "terminate", lambda self: calls.append(self))
    return calls


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    for i in range(4):
        stored = phantom_image((64, 64), bits_stored=8, photons_per_pixel=3000.0, seed=i)
        Image.fromarray(stored.astype(np.uint8)).save(root / f"im{i}.png")
    return root


def _spec(tmp_path, data=None, **settings):
    folder = tmp_path / "runs" / "run"
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"checkpoint_every": 100_000, **settings}
    return RunSpec(data=data or tmp_path, folder=folder, steps=100_000, minutes=None,
                   batch_size=1, patch_size=16, device="cpu", architecture="tiny",
                   log_every=1, val_every=0, threads=1, **settings)  # fmt: skip


def _fake(monkeypatch, status, delay=0.0):
    def command(spec, *, resume):
        return sys.executable, ["-c", FAKE, str(stop_path(spec.output)), str(status), str(delay)]

    monkeypatch.setattr(process_module, "training_command", command)


@pytest.mark.slow
def test_pause_stops_a_real_run_where_terminate_does_nothing(qtbot, tmp_path, data, no_terminate):
    page = RunPage()
    qtbot.addWidget(page)
    spec = _spec(tmp_path, data)
    page.start(spec)
    # At once, while the process still starts: it removes a stale stop file when it
    # takes its lock, and the request is put back until it is answered.
    with qtbot.waitSignal(page.process.stateChanged, timeout=120_000) as blocker:
        page.pause_button.click()
        assert page.status.text().startswith("pausing") and not page.pause_button.isEnabled()
    assert blocker.args == ["paused"], page.log.toPlainText()
    paused_at = find_checkpoint(spec).step[0]
    assert 1 <= paused_at < 100  # stopped at once, with a checkpoint
    page.resume_button.click()  # and again once it trains
    qtbot.waitUntil(
        lambda: bool(page.losses) and page.losses[-1][0] >= paused_at + 3, timeout=120_000
    )
    with qtbot.waitSignal(page.process.stateChanged, timeout=120_000) as blocker:
        page.pause_button.click()
    assert blocker.args == ["paused"], page.log.toPlainText()
    assert page.losses[-1][0] <= find_checkpoint(spec).step[0] < 100_000
    assert read_run(spec.folder)[1] == "paused"
    assert scan_runs(spec.folder.parent).unfinished() == [spec]
    assert not stop_path(spec.output).exists() and not is_being_trained(spec.output)
    assert page.resume_button.isEnabled() and not no_terminate


@pytest.mark.parametrize(
    ("status", "state"),
    [(0, "finished"), (128 + signal.SIGTERM, "paused"), (128 + signal.SIGINT, "paused"),
     (129, "paused"), (1, "failed")],
)  # fmt: skip
def test_the_state_is_what_the_process_says_not_what_was_asked(
    qtbot, tmp_path, monkeypatch, status, state
):
    _fake(monkeypatch, status)
    process = TrainingProcess()
    spec = _spec(tmp_path)
    assert process.start(spec)
    with qtbot.waitSignal(process.stateChanged, timeout=20_000) as blocker:
        process.pause()  # a run that ends anyway is finished, one that fails failed
    assert blocker.args == [state] and read_run(spec.folder)[1] == state
    assert not stop_path(spec.output).exists()


def test_closing_the_wizard_pauses_its_run_without_waiting_on_the_gui(qtbot, tmp_path, monkeypatch):
    _fake(monkeypatch, 128 + signal.SIGTERM, delay=1.0)
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.show()
    spec = _spec(tmp_path)
    assert wizard.run_page.process.start(spec)
    began = time.monotonic()
    wizard.reject()
    assert time.monotonic() - began < 0.5
    assert wizard.isVisible() and "Closing once the run has paused" in (
        wizard.run_page.log.toPlainText()
    )
    with qtbot.waitSignal(wizard.finished, timeout=20_000):
        pass
    assert not wizard.isVisible() and wizard.run_page.process.state == "paused"


@pytest.mark.parametrize(("closes", "wait_ms"), [(2, 60_000), (1, 300)])
def test_closing_again_or_a_run_that_does_not_pause_stops_it_at_once(
    qtbot, tmp_path, monkeypatch, closes, wait_ms
):
    _fake(monkeypatch, 0, delay=60.0)  # reads the request, and trains on
    monkeypatch.setattr(wizard_module, "STOP_WAIT_MS", wait_ms)
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.run_page.process.start(_spec(tmp_path))
    with qtbot.waitSignal(wizard.finished, timeout=20_000):
        for _ in range(closes):
            wizard.reject()
    assert wizard.run_page.process.state == "cancelled"


APP = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from core.training.control import is_being_trained
    from xraygui.wizard.process import TrainingProcess
    from xraygui.wizard.runs import read_run

    app = QCoreApplication([])
    spec, _state = read_run(Path(sys.argv[1]))
    process = TrainingProcess()
    assert process.start(spec, resume=True)
    while not is_being_trained(spec.output):
        app.processEvents()
        time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGKILL)  # the app crashes, or is ended in a task manager
    """
)
"""An app that starts a run and dies while its training process trains on."""


@pytest.mark.slow
def test_a_run_whose_app_died_is_neither_offered_nor_started_while_it_trains(qtbot, tmp_path, data):
    spec = _spec(tmp_path, data, checkpoint_every=5)
    first = TrainingProcess()
    assert first.start(spec)  # a checkpoint to resume from, then "paused"
    qtbot.waitUntil(lambda: find_checkpoint(spec).step is not None, timeout=120_000)
    with qtbot.waitSignal(first.stateChanged, timeout=120_000):
        first.pause()
    assert scan_runs(spec.folder.parent).unfinished() == [spec]

    app = subprocess.run(
        [sys.executable, "-c", APP, str(spec.folder)], capture_output=True, text=True, timeout=300
    )
    assert app.returncode == -signal.SIGKILL, app.stderr
    trainer = int(lock_path(spec.output).read_text())  # its pid, as it wrote it
    try:
        assert read_run(spec.folder)[1] == "running" and is_being_trained(spec.output)
        assert scan_runs(spec.folder.parent).unfinished() == []  # it trains: not offered
        again = TrainingProcess()
        assert again.start(spec, resume=True) is False and not again.is_running()
        request_stop(spec.output)  # a stop file stops it without its app
        qtbot.waitUntil(lambda: not is_being_trained(spec.output), timeout=120_000)
        assert scan_runs(spec.folder.parent).unfinished() == [spec]  # now it can be resumed
    finally:
        try:
            os.kill(trainer, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_closing_the_app_window_leaves_its_wizard_open_until_the_run_has_paused(
    window, qtbot, tmp_path, monkeypatch
):
    _fake(monkeypatch, 128 + signal.SIGTERM, delay=1.0)
    wizard = window.open_train_wizard()
    spec = _spec(tmp_path)
    assert wizard.run_page.process.start(spec)
    window.close()  # returns at once; the app quits when its last window, the wizard, closes
    assert not window.isVisible() and wizard.isVisible()
    assert wizard.windowHandle().transientParent() is None  # a window that keeps the app open
    with qtbot.waitSignal(wizard.finished, timeout=20_000):
        pass
    assert read_run(spec.folder)[1] == "paused"
