"""Seconds to open Simulate Low Dose on a 3000 x 3000 image: first, then again (its fits kept).

From the repository root (``QT_QPA_PLATFORM=offscreen`` where there is no display)::

    .venv/bin/python benchmarks/results/2026-11-28-session-timings/dose_dialog_time.py

A SYNTHETIC phantom of 20,000 quanta per unattenuated pixel (12 bits), its noise measured once
as the window measures it (:func:`xraygui.dialogs.image_noise`); each opening builds the dialog
with that image and estimate, as the window does, and is timed to the end of its constructor.
"""

import time

import numpy as np
from PySide6.QtWidgets import QApplication

from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image
from xraygui.dialogs import SimulateDoseDialog, image_noise

app = QApplication.instance() or QApplication([])
pixels = phantom_image((3000, 3000), photons_per_pixel=20000.0, seed=0).astype(np.float32)
image = XrayImage(pixels, StoredMapping(bits_stored=12), Window(2048.0, 4096.0))
noise = image_noise(image)
for opening in ("first", "again", "again", "again"):
    start = time.perf_counter()
    dialog = SimulateDoseDialog(image, noise=noise)
    seconds = time.perf_counter() - start
    dialog.deleteLater()
    print(f"{opening}: {seconds:.4f} s (quanta measured: {dialog.measure.isEnabled()})")
