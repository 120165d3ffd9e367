"""Read an image file in a worker thread while the window keeps painting.

Decoding takes about a second for a 3000 x 3000 JPEG 2000 and ten or more for a
12000-pixel image. Read in the GUI thread, the window froze for that long and the
desktop could call it "not responding". :func:`read_in_worker` reads in a
:class:`~xraygui.worker.GeneratorWorker` and waits in a local event loop that paints
but holds the user's clicks back. After :data:`OFFER_CANCEL_AFTER_MS` it shows a
window-modal dialog with Cancel; a cancelled read finishes unseen in its thread and
its image is dropped.

What the reader warns of (colour converted to grey, alpha dropped...) is collected in
the worker (:func:`core.errors.collecting_warnings`, that thread's alone) and handed to
the window with the image, for it to show.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from core.errors import collecting_warnings, issue_warning
from core.image import XrayImage
from core.io import read_image
from xraygui.worker import GeneratorWorker

OFFER_CANCEL_AFTER_MS = 400
"""How long a read runs before the dialog with Cancel shows (short reads show none)."""


@dataclass(frozen=True)
class ReadResult:
    """An image read by :func:`read_job`, and what the reader warned of.

    Parameters
    ----------
    image : XrayImage
        The image read.
    warnings : tuple of str
        The reader's :class:`~core.errors.XrayWarning` messages, each
        ``"PATH: what was done"``, in the order issued (every one, repeats included).
    """

    image: XrayImage
    warnings: tuple[str, ...]


def read_job(path: Path, frame: int) -> Generator[None, None, ReadResult]:
    """Read frame `frame` of `path` (:func:`core.io.read_image`) in a worker thread.

    Its :class:`~core.errors.XrayWarning` messages are collected, not shown, with
    :func:`core.errors.collecting_warnings`: this thread's only, so that a folder scan
    reading in another thread neither takes nor silences them, and nothing waits for
    it. Other warnings are shown as they would have been.

    Yields
    ------
    None
        Once, before reading (a point where the job may be cancelled).

    Returns
    -------
    ReadResult
        The image read and the reader's warnings.
    """
    yield None
    with collecting_warnings() as notes:  # each one, not once per place in the code
        image = read_image(path, frame=frame)
    return ReadResult(image, tuple(notes))


def read_in_worker(
    parent: QWidget,
    path: str | Path,
    *,
    frame: int = 0,
    start: Callable[[GeneratorWorker], None],
    warned: list[str] | None = None,
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
    warned : list of str, optional
        Where given, the reader's warnings (:attr:`ReadResult.warnings`) are added to
        it, for the caller to show; otherwise they are issued again here.

    Returns
    -------
    XrayImage or None
        The image, or None if the user pressed Cancel.

    Raises
    ------
    core.errors.XrayError
        As :func:`core.io.read_image`: the file cannot be read, with the reason.

    Warns
    -----
    XrayWarning
        As :func:`core.io.read_image`, once the image is read, unless `warned` is given.
    """
    worker = GeneratorWorker(read_job, Path(path), frame)
    outcome: dict[str, object] = {}
    loop = QEventLoop()

    def finish(key: str, value: object = None) -> None:
        outcome[key] = value
        loop.quit()

    worker.returned.connect(lambda read: finish("read", read))
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
    read = outcome.get("read")
    if not isinstance(read, ReadResult):
        return None
    for message in read.warnings:
        if warned is None:
            issue_warning(message, stacklevel=2)
        else:
            warned.append(message)
    return read.image


def cancel_dialog(parent: QWidget, name: str) -> QProgressDialog:
    """Make the window-modal, indefinite progress dialog, with Cancel, for reading `name`."""
    dialog = QProgressDialog(f"Opening {name}...", "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Opening image")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog
