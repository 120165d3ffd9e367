"""Errors no code caught: shown in one line, and kept in a log file for a bug report.

An exception in a slot (a click, a worker's signal) or in a thread reaches no handler:
Qt's binding prints it on the console and goes on, so a user of the bundle, which has no
console, saw nothing happen. :func:`report_bugs` makes such an error a message in the
window (on its thread, whichever thread raised) and appends its traceback to
:func:`bug_log_path`, which the message names.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from platformdirs import user_log_dir
from PySide6.QtCore import QThread, QTimer

from core.code_version import software_version
from core.errors import error_line

if TYPE_CHECKING:
    from xraygui.main_window import MainWindow

TITLE = "Unexpected error"
"""The title of the message that shows a bug."""
LOG_LIMIT = 1_000_000
"""Bytes of :func:`bug_log_path` kept: a longer log becomes ``errors.log.1`` (the one
before is dropped), so that a bug repeated all day does not fill the disk."""


def bug_log_path() -> Path:
    """Return the file the tracebacks of bugs are appended to.

    Returns
    -------
    Path
        ``errors.log`` in the user's log folder for xray-denoise (platformdirs'
        ``user_log_dir``: ``~/.local/state/xray-denoise/log`` on Linux).
    """
    return Path(user_log_dir("xray-denoise")) / "errors.log"


def record_bug(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None, path: Path
) -> Path | None:
    """Append an error's traceback, with the time and the software's version, to `path`.

    Parameters
    ----------
    kind, error, trace
        As ``sys.excepthook`` is given them.
    path : Path
        The log file; its folder is made where missing.

    Returns
    -------
    Path or None
        `path`, or None where it cannot be written (a full disk, a read-only home).
    """
    lines = traceback.format_exception(kind, error, trace)
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size > LOG_LIMIT:
            path.replace(path.with_name(path.name + ".1"))
        with path.open("a", encoding="utf-8", errors="backslashreplace") as log:
            log.write(f"{stamp} xraygui {software_version()}\n{''.join(lines)}\n")
    except OSError:
        return None
    return path


def bug_message(error: Exception, log: Path | None) -> str:
    """Say a bug in one line, and where its details are.

    Parameters
    ----------
    error : Exception
        The error no code caught.
    log : Path or None
        Where its traceback was written, if anywhere.

    Returns
    -------
    str
        ``"unexpected KeyError at x.py:3: 'k' (a bug; please report it); the details are
        in .../errors.log"``.
    """
    line = error_line(error)
    if "a bug" not in line:  # a ValueError, say, is said by its own message alone
        line += " (a bug; please report it)"
    return line if log is None else f"{line}; the details are in {log}"


class _OneBoxAtATime:
    """Show bugs in `window` one message at a time, counting those that come meanwhile.

    The message is modal: its loop runs the next error's, which would open a box inside
    it, and a bug repeated on every tick nested boxes until Python's recursion limit.
    """

    def __init__(self, window: MainWindow, log: Path) -> None:
        self.window, self.log = window, log
        self.showing = False
        self.more = 0  # errors come while a message was open

    def show(self, message: str) -> None:
        """Show `message`, or count it where a message is open; then say how many came."""
        if self.showing:
            self.more += 1
            return
        self.showing = True
        try:
            self.window.show_error(TITLE, message)
            while self.more:
                more, self.more = self.more, 0
                said = f"{more} more unexpected error(s) meanwhile; the details are in {self.log}"
                self.window.show_error(TITLE, said)
        finally:
            self.showing = False


def bug_hook(window: MainWindow, log: Path) -> Callable[..., None]:
    """Return a ``sys.excepthook`` that shows an error no code caught in `window`.

    Parameters
    ----------
    window : MainWindow
        Shows the error (:meth:`MainWindow.show_error`), on its own thread, one message
        at a time: those that come while one is open are counted in the next.
    log : Path
        Where the traceback is appended (:func:`record_bug`); it is also printed on
        stderr where there is one.

    Returns
    -------
    callable
        ``hook(kind, error, trace)``.
    """
    boxes = _OneBoxAtATime(window, log)

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if isinstance(error, SystemExit):  # a thread that ends itself: silent, as Python's
            return
        if sys.stderr is not None:  # none in the windowed bundle
            traceback.print_exception(kind, error, trace)
        if not isinstance(error, Exception):  # Ctrl-C is not a bug
            return
        message = bug_message(error, record_bug(kind, error, trace, log))
        if QThread.currentThread() == window.thread():
            boxes.show(message)
        else:  # widgets belong to the window's thread: the message waits for its loop
            QTimer.singleShot(0, window, lambda: boxes.show(message))

    return hook


def report_bugs(window: MainWindow, log: Path | None = None) -> Callable[[], None]:
    """Show the errors no code catches in `window`, from any thread, until undone.

    Parameters
    ----------
    window : MainWindow
        Shows them.
    log : Path, optional
        Where their tracebacks go; :func:`bug_log_path` by default.

    Returns
    -------
    callable
        Puts the hooks that were there before back.
    """
    hook = bug_hook(window, bug_log_path() if log is None else log)
    before = sys.excepthook, threading.excepthook
    sys.excepthook = hook
    threading.excepthook = lambda args: hook(args.exc_type, args.exc_value, args.exc_traceback)

    def undo() -> None:
        sys.excepthook, threading.excepthook = before

    return undo
