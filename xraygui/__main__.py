"""Start the xray-denoise desktop application: ``xraygui [FILE...]``.

``xraygui --smoke-test [FILE] --report-dir DIR`` runs a whole session in the
real window instead and exits 0, or prints why and exits 1. ``xraygui --train ...``
is the training wizard's worker process in a frozen bundle (``python -m core.training``).
Ctrl-C, SIGTERM and SIGHUP close the window as its close button does.
"""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import sys
import tempfile
from pathlib import Path

SYSTEM_LIBRARIES = (
    "The app needs the system's OpenGL, EGL and XCB libraries (Debian/Ubuntu: apt install "
    "libgl1 libegl1 libxcb1 libxkbcommon-x11-0; RHEL/Fedora: dnf install libglvnd-glx "
    "libglvnd-egl libxcb libxkbcommon-x11)"
)
"""What a minimal Linux may lack for Qt, said when Qt fails to load."""

try:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication
except ImportError as error:  # a system library Qt loads is missing: say which, in one line
    sys.exit(f"xraygui: Qt cannot start: {error}. {SYSTEM_LIBRARIES}")

# After Qt has been found to load (above).
from core import __version__  # noqa: E402
from core.resources import sample_image_path, version_line  # noqa: E402
from xraygui.main_window import MainWindow  # noqa: E402
from xraygui.smoke import SmokeTestFailure, run_smoke_test  # noqa: E402
from xraygui.worker import GeneratorWorker  # noqa: E402

CLOSING_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
"""Signals that close the window as its close button does (Ctrl-C, a kill, a closed terminal)."""
SIGNAL_TICK_MS = 200
"""How often Python gets to run while Qt idles, so that a signal's handler runs at all."""


def _close_on_signals(app: QApplication) -> list[int]:
    """Have Ctrl-C, SIGTERM and SIGHUP close the app's windows the normal way.

    Python runs a signal's handler only between bytecodes, and Qt's event loop runs
    none while it idles, so a timer ticks to let it. The handler closes the windows
    from the event loop, as their close buttons do: a training run pauses with a
    checkpoint and its model, the settings and layout are saved. The same signal
    again (a close that waits on a pausing run, say) stops the app at once. Set up
    before the main window exists, so that no signal finds Python's default handler.

    Parameters
    ----------
    app : QApplication
        The app whose windows close; owner of the timer.

    Returns
    -------
    list of int
        Filled with the number of the first signal received, for the exit status.
    """
    received: list[int] = []

    def close(signum: int, _frame: object) -> None:
        signal.signal(signum, signal.SIG_DFL)  # a second one stops the app at once
        if not received:
            received.append(signum)
            QTimer.singleShot(0, app.closeAllWindows)  # from the event loop, not the handler

    for name in CLOSING_SIGNALS:
        number = getattr(signal, name, None)  # SIGHUP: not on Windows
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, close)  # an ignored one (nohup) stays ignored
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)
    tick.start(SIGNAL_TICK_MS)
    return received


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line of the app.

    Parameters
    ----------
    argv : list of str
        Arguments without the program name.

    Returns
    -------
    argparse.Namespace
    """
    parser = argparse.ArgumentParser(
        prog="xraygui",
        description="Denoise low-dose X-ray images. Not for diagnostic use.",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # --version on one line
    )
    parser.add_argument("files", nargs="*", help="images to open (default: the bundled sample)")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="run a whole session on FILE (or the sample) and exit 0 if it works",
    )
    parser.add_argument(
        "--report-dir", type=Path, help="where --smoke-test writes its report and denoised image"
    )
    parser.add_argument("--model", type=Path, help="model file to use (default: the bundled model)")
    parser.add_argument("--version", action="version", version=version_line("xraygui", __version__))
    args = parser.parse_args(argv)
    if args.smoke_test and (args.report_dir is None or len(args.files) > 1):
        parser.error("--smoke-test takes at most one FILE and needs --report-dir DIR")
    return args


def _end_jobs(app: QApplication, rounds: int = 100) -> None:
    """Stop every job, and those the events of their ends start, and wait for their threads.

    Every :class:`GeneratorWorker`, the window's and any other (reading a file, say).
    """
    for _ in range(rounds):
        app.processEvents()
        if not GeneratorWorker.stop_all():
            return


def _smoke_test(args: argparse.Namespace, app: QApplication) -> int:
    with tempfile.TemporaryDirectory() as scratch:  # leave the user's settings alone
        settings = QSettings(str(Path(scratch) / "smoke.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        window.interactive = False  # errors are printed, not shown in dialogs
        if args.model is not None and not window.add_model_file(args.model):
            print(f"smoke test FAILED: {window.errors[-1]}", file=sys.stderr)
            window.close()
            return 1
        window.show()
        try:
            run_smoke_test(
                window, Path(args.files[0]) if args.files else sample_image_path(), args.report_dir
            )
        except SmokeTestFailure as failure:
            print(f"smoke test FAILED: {failure}", file=sys.stderr)
            return 1
        finally:
            window.close()
            _end_jobs(app)  # a job still running would abort the process at exit
    print("smoke test passed")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Open the main window on the given files, or on the bundled synthetic sample.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (``sys.argv[1:]`` by default).

    Returns
    -------
    int
        Exit status: 128 + the signal's number when Ctrl-C (130), SIGTERM (143) or
        SIGHUP (129) closed the window.
    """
    # In a frozen bundle, a worker process of the training's patch drawing (spawned on
    # Windows and macOS) starts this executable again: run the worker's code and exit.
    multiprocessing.freeze_support()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--train"]:
        # The training wizard's worker process inside a frozen bundle, which has no
        # separate Python: the same executable runs core.training, without Qt.
        from core.training.__main__ import main as train_main

        return train_main(argv[1:])
    args = parse_args(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("xraygui")
    app.setOrganizationName("xray-denoise")
    if args.smoke_test:
        return _smoke_test(args, app)
    received = _close_on_signals(app)
    window = MainWindow()
    if args.model is not None:
        window.add_model_file(args.model)
    window.show()
    window.open_files(args.files or [sample_image_path()])
    if not received or window.isVisible():  # else closed while the files were opening
        app.exec()
    # Jobs started after the window closed (an opening file's noise estimate) end here,
    # not at interpreter exit, where Qt would abort on a thread still running.
    _end_jobs(app)
    return 128 + received[0] if received else 0  # 130 after Ctrl-C, as shells say


if __name__ == "__main__":
    sys.exit(main())
