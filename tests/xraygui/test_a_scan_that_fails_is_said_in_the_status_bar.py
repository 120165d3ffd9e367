"""A folder scan that fails says so in the status bar, naming the folder and why.

Before, nothing was connected to the scan's ``errored`` signal: the browser's summary
went from "Scanning..." to what had been found so far, without a word of the failure.
"""

import pytest

import xraygui.main_window

pytestmark = pytest.mark.gui


def test_a_scan_that_fails_names_the_folder_and_the_reason(window, qtbot, tmp_path, monkeypatch):
    def failing_scan(paths):
        yield from ()
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(xraygui.main_window, "scan_images", failing_scan)
    window.open_folder(tmp_path)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Could not scan"))
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Could not scan {tmp_path}: ")
    assert "Input/output error" in message and "\n" not in message
