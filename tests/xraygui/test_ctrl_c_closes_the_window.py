"""Ctrl-C (SIGINT) and SIGTERM close the app as its close button does, and it exits."""

import os
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui

SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
QTimer.singleShot(0, lambda: print("ready", flush=True))  # once the event loop runs
from xraygui.__main__ import main

sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.slow
def test_a_signal_closes_the_window_saves_the_settings_and_exits(number, small_dicom, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(small_dicom)],
        env=env,
        # As from a terminal, even where the tests run under nohup or in a background job,
        # which leave Ctrl-C ignored (and the app keeps an ignored signal ignored).
        preexec_fn=lambda: signal.signal(number, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "ready\n"
        process.send_signal(number)
        status = process.wait(timeout=10)
    finally:
        process.kill()
        _, log = process.communicate()
    assert status == 128 + number, log[-2000:]
    assert "Traceback" not in log
    settings = (tmp_path / "xray-denoise" / "xraygui.conf").read_text(encoding="utf-8")
    assert "geometry=" in settings  # the window's own close saved its layout
