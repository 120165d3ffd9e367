"""Write a file completely or not at all, never over its own source."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from core.errors import ImageWriteError
from core.io.guards import one_line

STALE_AFTER_S = 3600.0
"""Age (since its last change) after which a temporary file of this program is left over."""
_TEMPORARY_NAME = re.compile(r"\.~[0-9a-f]{12}|\..{1,40}\.[0-9a-f]{12}\.tmp", re.DOTALL)
"""The names :func:`atomic_write` gives its temporary files, :func:`_temporary_name`
(``.~<12 hex>``), and those earlier versions gave them, ``.<name>.<12 hex>.tmp``: no
other shape, so that a user's own hidden files are never taken for them."""
_swept: set[str] = set()
"""Folders already cleared of stale temporary files by this process."""
EXISTS = "file exists (--overwrite replaces it)"
"""Why a destination is refused without `overwrite`."""


class DestinationExistsError(ImageWriteError):
    """The destination exists (or appeared during the write) and was not to be replaced."""


@contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    source: Path | None = None,
    needed: int | None = None,
) -> Iterator[BinaryIO]:
    """Open a temporary file next to `path`; on success fsync it and rename it onto `path`.

    Everything done inside the ``with`` block, encoding included, belongs to
    the write: on any exception the temporary file is removed, nothing is left
    at `path`, and the exception is raised as :class:`ImageWriteError` (one line:
    the system's reason, :func:`_system_reason`, where there is one; else a full
    disk, :func:`_full_disk`, where that explains a failed write). Without
    `overwrite`, a file another writer puts at `path` during the write is kept: the
    temporary file is hard-linked there, which fails if one exists
    (:func:`_publish_new`). The temporary files of writes killed before their end in
    the destination folder are removed (:func:`_remove_stale_temporaries`).

    Parameters
    ----------
    path : str or PathLike
        The destination file.
    overwrite : bool
        Replace an existing file at `path`; otherwise refuse.
    source : Path, optional
        The file the image was read from; never overwritten, even with `overwrite`.
    needed : int, optional
        About how many bytes the file takes: a write that fails with no system
        reason while the folder has less free space is reported as a full disk.

    Yields
    ------
    BinaryIO
        The temporary file, open for binary writing.

    Raises
    ------
    DestinationExistsError
        If `path` exists without `overwrite`, at the start or at the end.
    ImageWriteError
        If `path` is the source, is a folder, its folder does not exist, or the write
        fails.
    """
    destination = Path(path)
    temporary = destination.with_name(_temporary_name())
    created = False
    try:
        _check_destination(destination, overwrite=overwrite, source=source)
        _remove_stale_temporaries(destination.parent)
        # "x": create exclusively, never reuse a file; permissions follow the umask.
        with open(temporary, "xb") as file:
            created = True
            yield file
            file.flush()
            os.fsync(file.fileno())
        if overwrite:
            os.replace(temporary, destination)
        else:
            _publish_new(temporary, destination)
    except BaseException as error:
        if created:
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
        if isinstance(error, ImageWriteError) or not isinstance(error, Exception):
            raise
        reason = _system_reason(error) or _full_disk(error, destination.parent, needed)
        raise ImageWriteError(destination, reason or one_line(error)) from error
    _fsync_folder(destination.parent)


def check_writable_folder(folder: Path) -> None:
    """Check that files can be written in `folder`, before any time is spent on them.

    An empty file is created there and removed, named as :func:`atomic_write` names
    its temporary files (:func:`_temporary_name`), so that one a killed run leaves is
    swept away as theirs are.

    Parameters
    ----------
    folder : Path
        An existing folder.

    Raises
    ------
    ImageWriteError
        ``"<folder>: cannot write in this folder: <the system's reason>"`` (no
        permission, a read-only disk).
    """
    probe = folder / _temporary_name()
    try:
        with open(probe, "xb"):
            pass
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ImageWriteError(folder, f"cannot write in this folder: {reason}") from None


def _temporary_name() -> str:
    """Name a temporary file: ``.~<12 hex>``, random, hidden on Linux and macOS.

    Its 14 characters are no more than most destinations' names have (``a_denoised.png``
    has 14), so that the temporary file's path fits wherever the destination's does:
    Windows refuses a path of more than 259 characters unless long paths are enabled.
    """
    return f".~{secrets.token_hex(6)}"


def _system_reason(error: BaseException) -> str | None:
    """Return the system's reason for a failed write, from `error` or the errors that caused it.

    Libraries re-raise an ``OSError`` with their own text, a traceback included
    (pydicom: ``OSError("With tag (7FE0,0010) got exception: ... Traceback ...")``),
    keeping the original as its ``__cause__`` or ``__context__``; that chain is
    followed to the first ``OSError`` that has a ``strerror``.

    Parameters
    ----------
    error : BaseException
        The error the write raised.

    Returns
    -------
    str or None
        The ``strerror``, such as ``"No space left on device"``; None if no error
        in the chain has one.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _full_disk(error: BaseException, folder: Path, needed: int | None) -> str | None:
    """Return "No space left on device" if a failed write is explained by `folder`'s free space.

    NumPy's ``tofile`` (used by tifffile and ``numpy.save``) reports a short write
    as ``OSError("65536 requested and 20336 written")``, without the system's
    reason; the free space of the folder, checked once the temporary file is
    gone, tells whether the disk is full.

    Parameters
    ----------
    error : BaseException
        The error the write raised.
    folder : Path
        The destination's folder.
    needed : int or None
        About how many bytes the file takes; None if unknown.

    Returns
    -------
    str or None
        The reason with the free and needed bytes; None if `error` is not an
        ``OSError``, `needed` is unknown, or the folder has room for it.
    """
    if not isinstance(error, OSError) or needed is None:
        return None
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    if free >= needed:
        return None
    return f"No space left on device ({free} bytes free, {needed} needed)"


def _check_destination(destination: Path, *, overwrite: bool, source: Path | None) -> None:
    """Refuse the source file, an existing file without `overwrite`, or a missing folder."""
    if destination.parent.exists() and not destination.parent.is_dir():
        raise ImageWriteError(destination, f"{destination.parent} is a file, not a folder")
    if not destination.parent.is_dir():
        raise ImageWriteError(destination, f"folder {destination.parent} does not exist")
    if destination.is_dir():
        raise ImageWriteError(destination, "is a folder")
    if not destination.exists():
        return
    if source is not None and source.exists() and os.path.samefile(destination, source):
        raise ImageWriteError(destination, "refusing to overwrite the source image")
    if not overwrite:
        raise DestinationExistsError(destination, EXISTS)


def _publish_new(temporary: Path, destination: Path) -> None:
    """Put the written `temporary` file at `destination`, which must not exist.

    A hard link fails where a file is there, even one created by another writer since
    :func:`_check_destination`; the temporary name is then removed. Where the file system
    has no hard links (FAT, some network shares), it is renamed over `destination`: a
    file created there during the write is replaced, as before.

    Raises
    ------
    DestinationExistsError
        If `destination` exists.
    """
    try:
        os.link(temporary, destination)
    except FileExistsError:
        raise DestinationExistsError(destination, EXISTS) from None
    except OSError:  # no hard links here
        os.replace(temporary, destination)
        return
    with suppress(OSError):  # the file is in place: a temporary name left is swept later
        temporary.unlink()


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files of this program's killed writes from `folder` (best effort).

    Those are regular files named as :func:`atomic_write` names them
    (:data:`_TEMPORARY_NAME`), unchanged for :data:`STALE_AFTER_S` seconds and, where the
    system has users, owned by this one; others, and other folders, are left alone. Each
    folder is swept once a process, so a batch writing many files there lists it once.
    """
    key = os.path.normcase(os.path.abspath(folder))
    if key in _swept:
        return
    _swept.add(key)
    cutoff = time.time() - STALE_AFTER_S
    with suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not _TEMPORARY_NAME.fullmatch(entry.name):
                continue
            with suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
                if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff and mine:
                    os.unlink(entry.path)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows (best effort: the file is written)."""
    if os.name != "posix":  # Windows cannot open a folder for this
        return
    with suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
