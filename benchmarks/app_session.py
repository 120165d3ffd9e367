"""Time and memory of one session in the app, as a radiologist runs it on a large image.

Opens FILE in the real main window, simulates a 25 % dose of the quanta measured from
its noise (the Low dose dialog's default), denoises at the default settings through the
worker thread, turns on a region of interest (its metrics are added), drags the window/level
:data:`DRAGS` times with the residual pane shown (each drag redraws the panes, as a mouse move
does), at the zoom the image opened at and again at 1:1, and writes the PDF, JSON and CSV
report. Prints, for each step, its seconds until the window shows its result, the longest
the window's event loop was held up in it (the time a click or a repaint would wait: the
window freezes for that long), and the peak memory of the whole process after it::

    QT_QPA_PLATFORM=offscreen python benchmarks/app_session.py FILE [--threads 2] [--model M]

Without ``--model`` the shipped model is used.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchlib import peak_rss_bytes, set_threads

DOSE = 0.25
DRAGS = 20
TICK_MS = 5


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="image to open (DICOM, PNG, TIFF, JPEG, .npy)")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--model", type=Path, help="model file (default: the shipped model)")
    return parser.parse_args(argv)


def run_session(
    file: Path, model: Path | None, report: Callable[[str, float, float], None]
) -> None:
    """Drive the main window through the session; call ``report`` after each step.

    Parameters
    ----------
    file : Path
        The image.
    model : Path or None
        A model file to select, else the shipped one.
    report : callable
        Receives each step's name, its wall-clock seconds until the window shows its
        result, and the longest gap in seconds between two turns of the event loop in it.

    Raises
    ------
    RuntimeError
        If a step fails, with the window's message.
    """
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from core.noise import LowDoseSettings
    from xraygui.main_window import MainWindow

    _app = QApplication.instance() or QApplication([])  # alive for the whole session
    with tempfile.TemporaryDirectory(prefix="app-session-") as scratch:
        settings = QSettings(str(Path(scratch) / "app.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.interactive = False
        window.resize(1400, 900)
        window.show()

        # A timer that fires every TICK_MS while the event loop turns: a long gap between
        # two of its turns is a time the window could not paint or take a click.
        clock, longest = QElapsedTimer(), [0.0]
        ticker = QTimer(interval=TICK_MS)

        def tick() -> None:
            longest[0] = max(longest[0], clock.restart() / 1000)

        ticker.timeout.connect(tick)

        def failure(fallback: str) -> RuntimeError:
            return RuntimeError(window.errors[-1] if window.errors else fallback)

        def settled() -> bool:  # the result shown, with its noise estimate and metrics
            return (
                window.worker is None and window.metrics_current() and not window.estimating_noise
            )

        def step(name: str, action: Callable[[], object]) -> None:
            started = time.perf_counter()
            longest[0] = 0.0
            clock.start()
            ticker.start()
            action()
            loop = QEventLoop()
            poll = QTimer(interval=TICK_MS)
            poll.timeout.connect(lambda: settled() and loop.quit())
            poll.start()
            if not settled():
                loop.exec()
            poll.stop()
            tick()
            ticker.stop()
            report(name, time.perf_counter() - started, longest[0])

        def open_image() -> None:
            if not window.open_file(file):
                raise failure(f"cannot open {file}")

        def simulate() -> None:
            window.simulate_low_dose(LowDoseSettings.measured_from(window.source, DOSE))

        def denoise() -> None:
            if window.start_denoise() is None:
                raise failure("Denoise did not start")

        def region_metrics() -> None:
            window.roi_action.setChecked(True)  # adds the region's rows to the table
            if window.region() is None:
                raise failure("no region of interest")

        def drag_window() -> None:
            window.residual_action.setChecked(True)
            app = QApplication.instance()
            for _ in range(DRAGS):
                window.drag_window(3.0, 2.0)
                app.processEvents()

        def drag_window_one_to_one() -> None:
            window.views.one_to_one()
            drag_window()

        if model is not None and not window.add_model_file(model):
            raise failure(f"cannot load {model}")
        step("open", open_image)
        step(f"simulate {DOSE:.0%} dose (quanta measured)", simulate)
        if window.reference is None:
            raise failure("the simulation gave no image")
        step("denoise (default settings)", denoise)
        if window.result is None:
            raise failure("denoising gave no result")
        step("metrics with a region of interest", region_metrics)
        step(f"{DRAGS} window/level drags, residual shown", drag_window)
        step(f"{DRAGS} drags at 1:1, residual shown", drag_window_one_to_one)
        step("report (PDF, JSON, CSV)", lambda: window.export_report(Path(scratch) / "report"))
        window.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the session on the file given and print its timings and peak memory."""
    args = parse_args(argv)
    set_threads(args.threads)

    def report(name: str, seconds: float, frozen: float) -> None:
        print(
            f"{name:40s} {seconds:7.2f} s   frozen {frozen:6.2f} s   "
            f"peak {peak_rss_bytes() / 2**30:5.2f} GiB",
            flush=True,
        )

    run_session(args.file, args.model, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
