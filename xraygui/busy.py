"""A wait cursor and a status line while the GUI thread works for a moment.

Writing files runs in the GUI thread, well under a second; opening reads in a worker
while the window paints (:mod:`xraygui.reading`). :func:`busy` tells the user the window
is working rather than frozen (denoising, simulating a dose and the metrics run in worker
threads). Use it in handlers of the user's own actions only:
it processes pending events to paint, which inside a worker's signal handler could run
that worker's later signals first. Timers and queued signals run then too: note what the
block does before entering it (the window's file being opened, say), so that what they
ask for meanwhile can wait for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QStatusBar


@contextmanager
def busy(status_bar: QStatusBar, message: str) -> Iterator[None]:
    """Show a wait cursor and `message` while the block runs.

    Parameters
    ----------
    status_bar : QStatusBar
        Where `message` shows; it is cleared afterwards unless the block replaced it.
    message : str
        What is being done, e.g. "Simulating a 25 % dose...".

    Yields
    ------
    None
    """
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    status_bar.showMessage(message)
    # Paint the cursor and the message now; clicks wait until the work is done.
    QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
        if status_bar.currentMessage() == message:
            status_bar.clearMessage()
