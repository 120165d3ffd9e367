"""ms per window/level drag on a 4000 x 4000 16-bit image with a denoised result shown.

QT_QPA_PLATFORM=offscreen /work/main/.venv/bin/python /tmp/fix/crop/bench.py [--repeats 3]
"""

import argparse
import os
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("TREE", "/work/main"))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

DRAGS = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=4000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    from xraygui.main_window import MainWindow

    rng = np.random.default_rng(0)
    n = args.size
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    clean = 1000 + 2000 * (x / n) + 500 * np.sin(y / 200)
    noisy = np.clip(np.round(clean + rng.normal(0, 40, clean.shape)), 0, 65535).astype(np.uint16)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "big.npy"
        np.save(path, noisy)
        settings = QSettings(str(Path(scratch) / "app.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.interactive = False
        window.resize(1400, 900)
        window.show()
        app.processEvents()
        assert window.open_file(path)
        image = window.image
        denoised = image.with_pixels(clean.astype(np.float32))
        spread = np.abs(rng.normal(0, 5, clean.shape)).astype(np.float32)
        window.result = types.SimpleNamespace(image=denoised, uncertainty=spread)
        window.refresh()
        app.processEvents()

        def drags() -> float:
            pane = window.views.panes["before"]
            started = time.perf_counter()
            for i in range(DRAGS):
                window.drag_window(3.0 if i % 2 else -3.0, 2.0 if i % 2 else -2.0)
                app.processEvents()
                assert pane.image_item.qimage is not None  # painted
            return (time.perf_counter() - started) / DRAGS * 1000

        def settle() -> None:
            end = time.perf_counter() + 0.2
            while time.perf_counter() < end:
                app.processEvents()

        cases = {}
        for zoom in ("fit", "1:1"):
            for swipe, residual in ((False, False), (True, False), (False, True)):
                window.swipe_action.setChecked(swipe)
                window.residual_action.setChecked(residual)
                settle()
                if zoom == "fit":
                    window.views.fit()
                else:
                    window.views.one_to_one()
                settle()
                on_off = ("on " if swipe else "off", "on " if residual else "off")
                name = f"{zoom:4s} swipe {on_off[0]} residual {on_off[1]}"
                cases[name] = [drags() for _ in range(args.repeats)]
                shown = window.views.panes["before"].image_item.image.shape
                print(
                    f"{name}: {min(cases[name]):6.1f}-{max(cases[name]):6.1f} ms/drag "
                    f"(before pane draws {shown})",
                    flush=True,
                )
        window.close()


if __name__ == "__main__":
    main()
