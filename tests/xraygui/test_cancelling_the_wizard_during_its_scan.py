"""Cancelling the Train on Folder wizard during its folder scan closes it at once: before,
the GUI thread waited (up to 10 s) for the scan to finish the file it read, and a scan
stopped only between files, never during its walk of the folder. The app still exits
cleanly right after."""

import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from PIL import Image

import xraygui.wizard.runs as runs_module
import xraygui.wizard.scan as scan_module
from xraygui.wizard.data_page import DataPage
from xraygui.worker import GeneratorWorker

pytestmark = pytest.mark.gui


def _folder(path):
    path.mkdir()
    for i in range(2):
        grey = np.random.default_rng(i).integers(0, 255, (64, 64)).astype(np.uint8)
        Image.fromarray(grey).save(path / f"{i}.png")
    return path


def _blocking(monkeypatch, name, calls):
    """Make scan's `name` wait, once entered, until the returned event is set."""
    entered, go = threading.Event(), threading.Event()
    real = getattr(scan_module, name)

    def slow(*args, **kwargs):  # a large file, or a slow network share
        calls.append(name)
        entered.set()
        go.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(scan_module, name, slow)
    return entered, go


def _recording(monkeypatch, name, calls):
    real = getattr(scan_module, name)
    monkeypatch.setattr(scan_module, name, lambda *a, **k: calls.append(name) or real(*a, **k))


def test_cancelling_the_wizard_while_its_scan_reads_a_file_does_not_wait(
    window, tmp_path, qtbot, monkeypatch
):
    monkeypatch.setattr(runs_module, "runs_root", lambda: tmp_path / "runs")
    calls = []
    reading, go = _blocking(monkeypatch, "_scan_file", calls)
    wizard = window.open_train_wizard()
    qtbot.addWidget(wizard)
    worker = wizard.data_page.set_folder(_folder(tmp_path / "data"))
    assert reading.wait(10)
    start = time.monotonic()
    try:
        wizard.reject()  # Cancel
        blocked = time.monotonic() - start
    finally:
        go.set()
    assert blocked < 1.0
    assert not wizard.isVisible() and worker.abort_requested
    qtbot.waitUntil(lambda: worker not in GeneratorWorker._started, timeout=10000)
    assert calls == ["_scan_file"]  # stopped after the file it was reading
    assert wizard.data_page.report is None


def test_a_scan_stopped_during_its_walk_reads_no_file(tmp_path, qtbot, monkeypatch):
    calls = []
    walking, go = _blocking(monkeypatch, "sort_files", calls)
    _recording(monkeypatch, "assign_patients", calls)
    _recording(monkeypatch, "_scan_file", calls)
    page = DataPage([])
    qtbot.addWidget(page)
    worker = page.set_folder(_folder(tmp_path / "data"))
    assert walking.wait(10)
    page.stop_scan()  # the wizard closes
    go.set()
    qtbot.waitUntil(lambda: worker not in GeneratorWorker._started, timeout=10000)
    assert calls == ["sort_files"]  # no header read for the patients, no file read
    assert page.worker is None and page.report is None


EXIT_SCRIPT = """
import sys, time
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
import xraygui.wizard.scan as scan
from xraygui.__main__ import _end_jobs
from xraygui.main_window import MainWindow

real = scan._scan_file
scan._scan_file = lambda report, record: time.sleep(1.5) or real(report, record)
app = QApplication([])
window = MainWindow(settings=QSettings(sys.argv[2], QSettings.Format.IniFormat))
window.show()
wizard = window.open_train_wizard()
worker = wizard.data_page.set_folder(sys.argv[1])
end = time.monotonic() + 10
while not worker.thread.isRunning() and time.monotonic() < end:
    app.processEvents()
time.sleep(0.3)  # the scan reads its first file
wizard.reject()
window.close()
print("still scanning" if worker.thread is not None else "scan ended")
_end_jobs(app)  # as the app's main() does before it returns
print("exited")
"""


def test_the_app_exits_cleanly_right_after_the_wizard_is_cancelled_mid_scan(tmp_path):
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data-home"),
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(EXIT_SCRIPT),
            str(_folder(tmp_path / "data")),
            str(tmp_path / "settings.ini"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["still scanning", "exited"]
    assert "QThread" not in done.stderr
