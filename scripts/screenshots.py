"""Make the README's screenshots: the bundled sample at a simulated 10 % dose, denoised.

The dose is a tenth of the quanta measured from the sample's own noise, as the dose
dialog simulates by default (:meth:`core.noise.LowDoseSettings.measured_or_default`).

``docs/screenshots/denoised.png`` shows Before, After and Residual with a region of
interest; ``swipe.png`` the swipe view. Run from the repository root under a display,
e.g. ``xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py``.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    """Drive the window through the session and save the two screenshots; 1 on an error."""
    app = QApplication.instance() or QApplication(sys.argv)
    from core.noise import LowDoseSettings
    from core.resources import sample_image_path
    from xraygui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as scratch:
        settings = QSettings(str(Path(scratch) / "app.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        window.interactive = False
        window.resize(1600, 950)
        window.show()

        def wait(done: Callable[[], bool]) -> None:
            loop, poll = QEventLoop(), QTimer(interval=20)
            poll.timeout.connect(lambda: done() and loop.quit())
            poll.start()
            if not done():
                loop.exec()
            poll.stop()
            for _ in range(20):
                app.processEvents()

        def settled() -> bool:
            return (
                window.worker is None and window.metrics_current() and not window.estimating_noise
            )

        window.open_file(sample_image_path())
        wait(settled)
        window.simulate_low_dose(LowDoseSettings.measured_or_default(window.image, 0.1, seed=0)[0])
        wait(settled)
        window.start_denoise()
        wait(lambda: window.result is not None and settled())
        window.residual_action.setChecked(True)
        window.roi_action.setChecked(True)
        window.roi.setPos((190, 420))
        window.roi.setSize((400, 400))
        wait(settled)
        window.grab().save(str(OUT / "denoised.png"))
        window.roi_action.setChecked(False)
        window.residual_action.setChecked(False)
        window.swipe_action.setChecked(True)
        wait(lambda: True)
        window.views.fit()
        wait(settled)
        window.grab().save(str(OUT / "swipe.png"))
        window.close()
    if window.errors:
        print("\n".join(window.errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
