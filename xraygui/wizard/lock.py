"""The locks of a run being trained, so that no two processes train one run.

The app that starts a run locks its folder (``training.lock``, a QLockFile), so that no
other window or app starts it too; the training process locks its model
(:mod:`core.training.control`) for as long as it trains, so that a run whose app has died
while its process trains on is not taken for a stopped one either.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QLockFile

from core.errors import ImageWriteError
from core.io.atomic import check_writable_folder
from core.training.control import is_being_trained

LOCK_FILE = "training.lock"


def run_lock(folder: Path) -> QLockFile:
    """Return the (not yet taken) app's lock of a run folder.

    A lock is held for as long as its holder lives, however long it trains; the lock
    of an app that has died is stale and is taken over.

    Parameters
    ----------
    folder : Path
        The run folder.

    Returns
    -------
    QLockFile
        Take it with ``tryLock(0)``, release it with ``unlock()``.
    """
    lock = QLockFile(str(folder / LOCK_FILE))
    lock.setStaleLockTime(0)  # never stale by age: only when its holder is gone
    return lock


def _try_lock(folder: Path) -> tuple[QLockFile | None, bool]:
    """Try once to take the app's lock of a run folder (:func:`run_lock`).

    Returns the lock, held, where it was taken (else None), and whether another live
    process holds it: neither where the lock file cannot be written there.
    """
    lock = run_lock(folder)
    if lock.tryLock(0):
        return lock, False
    return None, lock.error() == QLockFile.LockError.LockFailedError


def take_run_lock(folder: Path) -> QLockFile | None:
    """Take the app's lock of a run folder (:func:`run_lock`).

    Parameters
    ----------
    folder : Path
        The run folder.

    Returns
    -------
    QLockFile or None
        The lock, held (release it with ``unlock()``); None where another live process
        holds it.

    Raises
    ------
    ImageWriteError
        ``"<folder>: cannot write in this folder: <reason>"`` where the lock file cannot
        be written there (no permission, a read-only or full disk): no one holds it.
    """
    lock, held = _try_lock(folder)
    if lock is not None or held:
        return lock
    check_writable_folder(folder)  # raises with the system's reason, where it has one
    try:
        full = shutil.disk_usage(folder).free == 0
    except OSError:
        full = False
    reason = "No space left on device" if full else f"its {LOCK_FILE} cannot be created"
    raise ImageWriteError(folder, f"cannot write in this folder: {reason}")


def is_locked(output: Path) -> bool:
    """Whether a live process (this app, another, or a training process) holds a run's lock.

    Parameters
    ----------
    output : Path
        The run's model file, in its run folder.

    Returns
    -------
    bool
    """
    lock, held = _try_lock(output.parent)
    if lock is not None:
        lock.unlock()
    elif held:
        return True  # else its folder cannot be written: the lock says nothing
    return is_being_trained(output)
