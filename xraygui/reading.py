"""Read an image file in a worker thread while the window keeps painting.

Decoding takes about a second for a 3000 x 3000 JPEG 2000 and ten or more for a
12000-pixel image. Read in the GUI thread, the window froze for that long and the
desktop could call it "not responding". :func:`read_in_worker` reads in a
:class:`~xraygui.worker.GeneratorWorker` and waits in a local event loop that paints
but holds the user's clicks back. After :data:`OFFER_CANCEL_AFTER_MS` it shows a
window-modal dialog with Cancel; a cancelled read finishes unseen in its thread and
its image is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from core.image import XrayImage
from core.io import read_image
from xraygui.worker import GeneratorWorker

OFFER_CANCEL_AFTER_MS = 400
"""How long a read runs before the dialog with Cancel shows (short reads show none)."""


def read_job(path: Path, frame: int) -> Generator[None, None, XrayImage]:
    """Read frame `frame` of `path` (:func:`core.io.read_image`) in a worker thread.

    Yields
    ------
    None
        Once, before reading (a point where the job may be cancelled).

    Returns
    -------
    XrayImage
        The image read.
    """
    yield None
    return read_image(path, frame=frame)


def read_in_worker(
    parent: QWidget,
    path: str | Path,
    *,
    frame: int = 0,
    start: Callable[[GeneratorWorker], None],
) -> XrayImage | None:
    """Read `path` in a worker thread and wait for it with the window painted.

    Parameters
    ----------
    parent : QWidget
        The window the Cancel dialog belongs to; its input is held back meanwhile.
    path : str or Path
        Image file.
    frame : int
        Frame of a multi-frame DICOM or page of a TIFF, from 0.
    start : callable
        Starts the worker (e.g. a window's bookkeeping, so that it waits for the
        thread at shutdown).

    Returns
    -------
    XrayImage or None
        The image, or None if the user pressed Cancel.

    Raises
    ------
    core.errors.XrayError
        As :func:`core.io.read_image`: the file cannot be read, with the reason.
    """
    worker = GeneratorWorker(read_job, Path(path), frame)
    outcome: dict[str, object] = {}
    loop = QEventLoop()

    def finish(key: str, value: object = None) -> None:
        outcome[key] = value
        loop.quit()

    worker.returned.connect(lambda image: finish("image", image))
    worker.errored.connect(lambda error: finish("error", error))
    worker.aborted.connect(lambda: finish("cancelled"))
    start(worker)

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(OFFER_CANCEL_AFTER_MS)
    if not outcome:
        # Paint and run timers and other workers' signals; clicks wait until the read ends.
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    timer.stop()
    if not outcome:
        dialog = cancel_dialog(parent, Path(path).name)
        dialog.canceled.connect(worker.quit)
        dialog.canceled.connect(lambda: finish("cancelled"))
        dialog.show()
        loop.exec()  # the dialog is window-modal: only Cancel takes input
        dialog.close()
        dialog.deleteLater()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    image = outcome.get("image")
    return image if isinstance(image, XrayImage) else None


def cancel_dialog(parent: QWidget, name: str) -> QProgressDialog:
    """Make the window-modal, indefinite progress dialog, with Cancel, for reading `name`."""
    dialog = QProgressDialog(f"Opening {name}...", "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Opening image")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog
