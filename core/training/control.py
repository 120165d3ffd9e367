"""A training run's lock and stop file, through which other processes see and stop it.

A training process holds an OS lock on ``<output stem>.lock`` beside its model for as long
as it trains, and the OS drops it when the process ends, however it ends: so no second
process trains the same model, and a front end can tell a run being trained (even one
whose app has died) from one that stopped. Creating ``<output stem>.stop`` asks the run
to stop after its current step, as SIGTERM does (checkpoint, model exported, exit status
143): unlike a signal, this works the same on every OS, where Windows cannot send a
console process SIGTERM, and a user can stop a command-line run with it too. A run
removes the stop file when it starts (a request left from an earlier run) and when it
ends. The lock is ``fcntl.flock`` on POSIX and ``msvcrt.locking`` on Windows.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from types import TracebackType

STOP_STATUS = 128 + signal.SIGTERM
"""Exit status of a run stopped by its stop file, the same as by SIGTERM (143)."""
DATA_CHANGED_STATUS = 3
"""Exit status of a resume refused because the data folder changed since the checkpoint."""
_TRIES = 10
"""Tries to take a lock before refusing: a front end's check holds it for an instant."""
_LOCKED_BYTE = 64
"""Offset of the byte locked on Windows, past the pid at the start (others read it)."""
_BINARY = getattr(os, "O_BINARY", 0)
"""No newline translation on Windows."""

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_path(output: Path) -> Path:
    """Return the lock file of the run that writes ``output`` (``model.lock``)."""
    return output.with_suffix(".lock")


def stop_path(output: Path) -> Path:
    """Return the stop file of the run that writes ``output`` (``model.stop``)."""
    return output.with_suffix(".stop")


def request_stop(output: Path) -> None:
    """Ask the run that writes ``output`` to stop after its current step (create its stop file).

    Parameters
    ----------
    output : Path
        The run's model file.
    """
    stop_path(output).touch()


def is_being_trained(output: Path) -> bool:
    """Whether a live process trains ``output`` now (holds its lock).

    Parameters
    ----------
    output : Path
        The run's model file.

    Returns
    -------
    bool
    """
    try:
        fd = os.open(lock_path(output), os.O_RDONLY | _BINARY)
    except OSError:  # no lock file, or none this user may read: nothing to wait for
        return False
    try:
        if not _try_lock(fd):
            return True
        _unlock(fd)
        return False
    finally:
        os.close(fd)


class TrainingLock:
    """The lock a training process holds on its model, a context manager.

    Entered, it takes the lock, writes this process's id in the lock file and removes a
    stale stop file; left, it removes the stop file (answered, or come too late) and
    releases the lock. The lock file itself stays.

    Parameters
    ----------
    output : Path
        The model file the run writes; its folder must exist.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self._fd: int | None = None

    def __enter__(self) -> TrainingLock:
        """Take the lock.

        Raises
        ------
        ValueError
            When another process holds it: ``"... is being trained by another process
            (pid N)"``.
        OSError
            When the lock file cannot be written (a full disk), naming it.
        """
        path = lock_path(self.output)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _BINARY, 0o666)
        try:
            if not _take(fd):
                raise ValueError(
                    f"{self.output} is being trained by another process ({_holder(fd)})"
                )
            try:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            except OSError as error:  # the system's reason names no file
                raise OSError(error.errno, error.strerror or str(error), str(path)) from None
            stop_path(self.output).unlink(missing_ok=True)
        except BaseException:
            os.close(fd)  # closing the file drops a lock taken
            raise
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Remove the stop file and release the lock."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            stop_path(self.output).unlink(missing_ok=True)
            _unlock(fd)
        finally:
            os.close(fd)

    def stop_requested(self) -> bool:
        """Whether the stop file exists (one ``stat``, cheap enough for every step)."""
        return stop_path(self.output).exists()


def _take(fd: int) -> bool:
    for _ in range(_TRIES):
        if _try_lock(fd):
            return True
        time.sleep(0.02)
    return False


def _holder(fd: int) -> str:
    """``"pid N"`` from the lock file, or ``"pid unknown"`` before its holder wrote it."""
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 32).decode("ascii", "replace").strip()
    return f"pid {text}" if text.isdigit() else "pid unknown"
