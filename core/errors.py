"""Error types raised by ``core`` for bad input, each with a one-line message."""

from __future__ import annotations

import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path


class XrayError(Exception):
    """Base class of every error that ``core`` raises on purpose.

    Front ends (the CLI, the GUI) catch this type and show ``str(error)``
    as a one-line message; anything else is a bug.
    """


class FileError(XrayError):
    """A file could not be used: the message names it and says why, on one line.

    Parameters
    ----------
    path : str or Path
        The file that failed.
    reason : str
        Why, in words a user understands (no traceback, one line).
    """

    #: Longest reason kept; values quoted from damaged files can be arbitrarily long.
    max_reason = 300

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = _one_printable_line(reason, self.max_reason)
        super().__init__(f"{printable(str(self.path))}: {self.reason}")


def printable(text: str) -> str:
    r"""Return `text` with every character a terminal would act on shown as an escape.

    Text from a file (a DICOM attribute, a file name) may hold control characters
    that set a terminal's title, clear its screen or colour what follows; printed
    through this function they are shown instead: ``\x1b`` for ESC, ``\x0a`` for a
    newline, ``\u200e`` for an invisible format character. A byte of a file name
    that the operating system could not decode (a lone surrogate ``\udcfc``) is
    shown as that byte, ``\xfc``, as :func:`core.io.safe_text.text_safe` writes it.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        `text` itself where every character is printable (spaces included).
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    """Return the escape that :func:`printable` shows an unprintable character as."""
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        code -= 0xDC00
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _one_printable_line(text: str, limit: int) -> str:
    """Collapse whitespace (newlines included), escape unprintable characters, shorten."""
    line = printable(" ".join(text.split()))
    return line if len(line) <= limit else line[: limit - 3] + "..."


def is_bad_input(error: BaseException) -> bool:
    """Whether `error` is the user's input or the file system refusing, not a bug.

    Parameters
    ----------
    error : BaseException
        Any error.

    Returns
    -------
    bool
        True for an :class:`XrayError`, ``ValueError``, ``OSError`` or ``MemoryError``
        (an input or option too large for this machine).
    """
    return isinstance(error, XrayError | ValueError | OSError | MemoryError)


def os_error_line(error: OSError) -> str:
    """Describe a file-system error in one line: the path and the system's reason.

    Parameters
    ----------
    error : OSError
        From opening, creating or writing a file or folder.

    Returns
    -------
    str
        ``"PATH: reason"`` (``"PATH -> OTHER: reason"`` for a rename), else ``str(error)``.
    """
    if error.filename is None or not error.strerror:
        return _one_printable_line(str(error), 1000)
    target = f" -> {error.filename2}" if error.filename2 is not None else ""
    return _one_printable_line(f"{error.filename}{target}: {error.strerror}", 1000)


def error_line(error: Exception) -> str:
    """Describe any error in one line, for a front end to show instead of a traceback.

    Parameters
    ----------
    error : Exception
        An :class:`XrayError` or ``ValueError`` (bad input: its own message), an
        ``OSError`` (the file system's reason, :func:`os_error_line`), a ``MemoryError``
        (``"not enough memory"``, with what could not be allocated where it says), or
        anything else (a bug: its type and where it was raised, for a report).

    Returns
    -------
    str
        One printable line.
    """
    if isinstance(error, OSError):  # the file system's answer: a full disk, a file in the way
        return os_error_line(error)
    if isinstance(error, MemoryError):  # numpy's says how much: "Unable to allocate 74.5 GiB..."
        detail = f": {error}" if str(error) else ""
        return _one_printable_line(f"not enough memory{detail}", 1000)
    if is_bad_input(error):
        return _one_printable_line(str(error), 1000)
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return _one_printable_line(
        f"unexpected {type(error).__name__}{where}: {error} (a bug; please report it)", 1000
    )


class ImageReadError(FileError):
    """An image file could not be read."""


class FrameRangeError(ImageReadError):
    """A frame past the last of a file was asked for.

    Parameters
    ----------
    path : str or Path
        The file.
    reason : str
        Why, in words a user understands.
    n_frames : int
        How many frames the file has, for a front end that numbers them its own way.
    """

    def __init__(self, path: str | Path, reason: str, *, n_frames: int) -> None:
        super().__init__(path, reason)
        self.n_frames = n_frames


class ImageWriteError(FileError):
    """An image could not be written; nothing was left at the destination."""


class ModelFileError(FileError):
    """A model file or its card is missing, corrupt or of an unknown format."""


class XrayWarning(UserWarning):
    """Something was read or computed with a compromise the user should know about.

    For example an RGB image converted to grayscale. Front ends show the
    message as one line.
    """


_collected: ContextVar[list[str] | None] = ContextVar("collected_xray_warnings", default=None)
"""Where :func:`issue_warning` puts its messages in this context, or None to warn."""


@contextmanager
def collecting_warnings() -> Iterator[list[str]]:
    """Collect the :class:`XrayWarning` messages issued meanwhile, instead of warning.

    Readers and writers issue their warnings with :func:`issue_warning`. Under this
    context manager it adds each message to the list yielded, every time it is issued,
    and :func:`warnings.warn` is not called. The collection is held in a context
    variable, so it is the calling thread's alone: another thread's warnings are never
    taken, and the process-wide warnings state (filters, ``showwarning``), which
    :class:`warnings.catch_warnings` swaps under every thread, is not touched.
    Collections nest: the innermost one collects.
    Never hold it across a generator's ``yield``: the consumer's code would be collected.

    Yields
    ------
    list of str
        The messages, each ``"PATH: what was done"``, in the order issued; ignore it to
        silence them.
    """
    notes: list[str] = []
    token = _collected.set(notes)
    try:
        yield notes
    finally:
        _collected.reset(token)


def issue_warning(message: str, *, stacklevel: int = 1) -> None:
    """Warn of `message` as an :class:`XrayWarning`, or collect it.

    Parameters
    ----------
    message : str
        One line, naming the file: ``"PATH: what was done"``; its unprintable
        characters are shown as escapes (:func:`printable`).
    stacklevel : int
        As :func:`warnings.warn`'s, counted from the caller of this function.

    Warns
    -----
    XrayWarning
        With `message`, unless a :func:`collecting_warnings` of this thread collects it.
    """
    message = printable(message)  # it may quote a file's text, or name a file
    notes = _collected.get()
    if notes is None:
        warnings.warn(message, XrayWarning, stacklevel=stacklevel + 1)
    else:
        notes.append(message)
