"""The lock a run folder holds while a process trains it, so that no two train one run."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile

LOCK_FILE = "training.lock"


def run_lock(folder: Path) -> QLockFile:
    """Return the (not yet taken) lock of a run folder.

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


def is_locked(folder: Path) -> bool:
    """Whether a live process (this app or another) holds the run folder's lock.

    Parameters
    ----------
    folder : Path
        The run folder.

    Returns
    -------
    bool
    """
    lock = run_lock(folder)
    if lock.tryLock(0):
        lock.unlock()
        return False
    return True
