"""On a small, scaled screen the main window and the Train wizard fit.

The screen's size and scale are fixed when Qt starts, so this runs the app in a new
process with an offscreen screen of 1280 x 720 pixels at 150 % (853 x 480 logical).
"""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui

SCRIPT = """
import json
import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

app = QApplication([])
from xraygui.main_window import MainWindow

window = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.show()
app.processEvents()
wizard = window.open_train_wizard()
app.processEvents()


def rect(r):
    return [r.x(), r.y(), r.width(), r.height()]


print(json.dumps({
    "screen": rect(window.screen().availableGeometry()),
    "window": rect(window.frameGeometry()),
    "wizard": rect(wizard.frameGeometry()),
}))
wizard.close()
window.close()
"""


def _inside(rect, screen):
    x, y, width, height = rect
    left, top, screen_width, screen_height = screen
    fits_across = left <= x and x + width <= left + screen_width
    return fits_across and top <= y and y + height <= top + screen_height


@pytest.mark.slow
def test_the_window_and_the_wizard_fit_a_small_scaled_screen(tmp_path):
    screen = {"name": "small", "x": 0, "y": 0, "width": 1280, "height": 720, "dpr": 1}
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96}]}))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": "1.5",
        "XDG_DATA_HOME": str(tmp_path / "data"),  # no user models or runs
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "settings.ini")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["screen"] == [0, 0, 853, 480]
    assert _inside(shown["window"], shown["screen"]), shown
    assert _inside(shown["wizard"], shown["screen"]), shown
