"""The pinned Qt stack exits cleanly once an image was shown.

PySide6 6.12.0 with pyqtgraph 0.14.0 aborted at interpreter exit (bool_dealloc, exit 134)
after an ImageView was shown; constraints.txt pins a pair that exits with 0.
"""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui

SCRIPT = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from core.resources import sample_image_path
from xraygui.main_window import MainWindow

app = QApplication([])
window = MainWindow()
window.show()
assert window.open_file(sample_image_path())
QTimer.singleShot(200, app.quit)
app.exec()
"""


@pytest.mark.slow
def test_app_exits_with_status_zero_after_showing_an_image(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
