"""Longest event-loop gap while zooming a 4000 x 4000 uint16 image from fit to past 1:1.

QT_QPA_PLATFORM=offscreen PYTHONPATH=TREE python zoom_steps_4000.py: 12 zoom steps of 1.25
(`ComparisonView.zoom`), 0.15 s of event processing after each, two runs from fit.
"""

import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

app = QApplication([])
from xraygui.main_window import MainWindow  # noqa: E402

n = 4000
y, x = np.mgrid[0:n, 0:n].astype(np.float32)
noise = np.random.default_rng(0).normal(0, 40, (n, n))
pixels = np.clip(1000 + 2000 * x / n + 500 * np.sin(y / 200) + noise, 0, 65535).astype(np.uint16)
scratch = tempfile.mkdtemp()
np.save(scratch + "/big.npy", pixels)
window = MainWindow(QSettings(scratch + "/app.ini", QSettings.Format.IniFormat))
window.interactive = False
window.resize(1400, 900)
window.show()
app.processEvents()
assert window.open_file(Path(scratch) / "big.npy")


def spin(seconds: float) -> float:
    """Process events for `seconds`; return the longest gap between two turns."""
    longest, last = 0.0, time.perf_counter()
    end = last + seconds
    while time.perf_counter() < end:
        app.processEvents()
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    return longest


spin(1.0)
for run in range(2):
    window.views.fit()
    spin(0.5)
    gaps = []
    for _ in range(12):
        window.views.zoom(1.25)
        gaps.append(spin(0.15))
    blocks = window.views.panes["before"].blocks()
    print(
        f"run {run}: ends at blocks {blocks}; gap per step (ms): "
        + " ".join(f"{1000 * gap:.0f}" for gap in gaps)
        + f"; longest {1000 * max(gaps):.0f} ms"
    )
window.close()
