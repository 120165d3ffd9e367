"""A signal that closes the window while its files open: jobs they start end before exit."""

import os
import signal
import subprocess
import sys

import pytest

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

# SIGTERM arrives as the files start to open: the window closes from the event loop that
# opening runs; the closed window reads nothing and starts no job (a noise estimate, made
# slow here, would still run when main returns).
SCRIPT = """
import os, signal, sys, time
from PySide6.QtCore import QCoreApplication
from xraygui import jobs
from xraygui.main_window import MainWindow
from xraygui.__main__ import main

def slow_noise_job(image):  # still running when main() returns
    time.sleep(1.5)
    yield from ()
    return 1.0

jobs.noise_job = slow_noise_job

opening = MainWindow.open_files

def signalled_then_open(window, paths):
    os.kill(os.getpid(), signal.SIGTERM)
    QCoreApplication.processEvents()  # the window closes here
    return opening(window, paths)

MainWindow.open_files = signalled_then_open
sys.exit(main(sys.argv[1:]))
"""


def test_a_signal_while_opening_exits_143_without_an_abort(small_dicom, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(small_dicom)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 128 + signal.SIGTERM, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "QThread" not in done.stderr
