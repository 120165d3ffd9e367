"""An exception no code caught is shown in one line, from any thread, and logged in full.

Qt's binding prints such an exception and goes on, so in the bundle, which has no console,
a bug looked like a click that did nothing (a DICOM export refused by the writer wrote
nothing and said nothing). The message is shown on the window's thread whichever thread
raised (widgets made elsewhere are undefined behaviour), its traceback is appended to a
log file the message names, and it says "a bug" once.
"""

import sys
import threading

import pytest
from PySide6.QtCore import QTimer

from xraygui.bugs import bug_hook, report_bugs

pytestmark = pytest.mark.gui


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_is_shown_printed_and_logged(window, qtbot, capsys, tmp_path):
    log = tmp_path / "log" / "errors.log"
    undo = report_bugs(window, log)
    try:

        def failing() -> None:
            {}["missing"]

        QTimer.singleShot(0, failing)
        qtbot.waitUntil(lambda: bool(window.errors), timeout=5000)
    finally:
        undo()
    (shown,) = window.errors
    assert shown.startswith("Unexpected error: unexpected KeyError at test_an_error_no_code")
    assert shown.endswith(f"'missing' (a bug; please report it); the details are in {log}")
    assert shown.count("a bug") == 1
    assert "Traceback" in capsys.readouterr().err
    text = log.read_text(encoding="utf-8")
    assert "xraygui 0.1.0" in text and "KeyError: 'missing'" in text


def test_an_error_in_another_thread_is_shown_on_the_window_s(window, qtbot, tmp_path):
    undo = report_bugs(window, tmp_path / "errors.log")
    try:
        thread = threading.Thread(target=lambda: 1 / 0)
        thread.start()
        thread.join()
        assert window.errors == []  # not from that thread: queued for the window's
        qtbot.waitUntil(lambda: bool(window.errors), timeout=5000)
    finally:
        undo()
    assert "ZeroDivisionError" in window.errors[0]


def test_without_a_console_or_a_writable_log_it_still_says_what_failed(
    window, monkeypatch, tmp_path
):
    monkeypatch.setattr(sys, "stderr", None)  # the windowed bundle
    unwritable = tmp_path / "file"
    unwritable.write_text("")
    bug_hook(window, unwritable / "errors.log")(ValueError, ValueError("bad"), None)
    assert window.errors == ["Unexpected error: bad (a bug; please report it)"]


def test_ctrl_c_is_no_bug(window, tmp_path):
    bug_hook(window, tmp_path / "errors.log")(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert window.errors == [] and not (tmp_path / "errors.log").exists()


def test_errors_that_come_while_a_message_is_open_are_counted_not_nested(
    window, monkeypatch, tmp_path
):
    # The message is modal: its loop runs the next error's, which opened a box in it, and a
    # bug repeated on every tick nested boxes until Python's recursion limit.
    hook = bug_hook(window, tmp_path / "errors.log")
    shown = []

    def show_error(title, message):
        shown.append(message)
        if len(shown) == 1:  # errors while the first message is open
            for _ in range(5):
                hook(KeyError, KeyError("again"), None)

    monkeypatch.setattr(window, "show_error", show_error)
    hook(KeyError, KeyError("first"), None)
    assert len(shown) == 2
    assert shown[1].startswith("5 more unexpected error(s) meanwhile; the details are in ")


def test_a_long_log_is_rotated(window, tmp_path):
    log = tmp_path / "errors.log"
    log.write_text("x" * 1_000_001)
    bug_hook(window, log)(KeyError, KeyError("k"), None)
    assert log.with_name("errors.log.1").stat().st_size == 1_000_001
    assert "KeyError: 'k'" in log.read_text()


def test_a_thread_that_exits_is_no_bug(window, tmp_path, capsys):
    bug_hook(window, tmp_path / "errors.log")(SystemExit, SystemExit(0), None)
    assert window.errors == [] and capsys.readouterr().err == ""
