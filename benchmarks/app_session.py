"""Time and memory of one session in the app, as a radiologist runs it on a large image.

Opens FILE in the real main window, simulates a 25 % dose of the quanta measured from
its noise (the Low dose dialog's default), denoises at the default settings through the
worker thread (the metrics of the whole image follow in the GUI thread), turns on a region
of interest (its metrics are added), and
writes the PDF, JSON and CSV report. Prints the seconds of each step and the peak
memory of the whole process after it::

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


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="image to open (DICOM, PNG, TIFF, JPEG, .npy)")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--model", type=Path, help="model file (default: the shipped model)")
    return parser.parse_args(argv)


def run_session(file: Path, model: Path | None, report: Callable[[str, float], None]) -> None:
    """Drive the main window through the session; call ``report(step, seconds)`` after each.

    Parameters
    ----------
    file : Path
        The image.
    model : Path or None
        A model file to select, else the shipped one.
    report : callable
        Receives each step's name and its wall-clock seconds.

    Raises
    ------
    RuntimeError
        If a step fails, with the window's message.
    """
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication

    from core.noise import LowDoseSettings
    from xraygui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="app-session-") as scratch:
        settings = QSettings(str(Path(scratch) / "app.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.interactive = False
        window.resize(1400, 900)
        window.show()

        def failure(fallback: str) -> RuntimeError:
            return RuntimeError(window.errors[-1] if window.errors else fallback)

        def step(name: str, action: Callable[[], object]) -> None:
            started = time.perf_counter()
            action()
            app.processEvents()
            report(name, time.perf_counter() - started)

        def open_image() -> None:
            if not window.open_file(file):
                raise failure(f"cannot open {file}")

        def denoise() -> None:
            worker = window.start_denoise()
            if worker is None:
                raise failure("Denoise did not start")
            loop = QEventLoop()
            worker.finished.connect(loop.quit)
            loop.exec()
            if window.result is None:
                raise failure("denoising gave no result")

        def region_metrics() -> None:
            window.roi_action.setChecked(True)  # adds the region's rows to the table
            if window.region() is None:
                raise failure("no region of interest")

        if model is not None and not window.add_model_file(model):
            raise failure(f"cannot load {model}")
        step("open", open_image)
        step(
            f"simulate {DOSE:.0%} dose (quanta measured)",
            lambda: window.simulate_low_dose(LowDoseSettings.measured_from(window.source, DOSE)),
        )
        step("denoise (default settings)", denoise)
        step("metrics with a region of interest", region_metrics)
        step("report (PDF, JSON, CSV)", lambda: window.export_report(Path(scratch) / "report"))
        window.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the session on the file given and print its timings and peak memory."""
    args = parse_args(argv)
    set_threads(args.threads)

    def report(name: str, seconds: float) -> None:
        print(f"{name:40s} {seconds:7.2f} s   peak {peak_rss_bytes() / 2**30:5.2f} GiB", flush=True)

    run_session(args.file, args.model, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
