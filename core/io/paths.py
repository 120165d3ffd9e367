"""Paths that cannot be resolved or listed: compared as the files they name, and said why.

:meth:`pathlib.Path.resolve` raises ``RuntimeError`` on a symbolic link loop before
Python 3.13 (which leaves the loop unresolved). A scan lists such a file among those it
could not read, so code that compares the paths it is given uses :func:`resolved`. A
folder that :func:`os.walk` cannot list is named with :func:`unlisted_reason`, in the same
words wherever it is met (the app's scan and batch, training).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


def resolved(path: Path) -> Path:
    """Return `path` resolved, or made absolute where it cannot be resolved.

    Parameters
    ----------
    path : Path
        Any path, existing or not.

    Returns
    -------
    Path
        ``path.resolve()``, or ``path.absolute()`` where resolving fails (a symbolic
        link loop, a folder that cannot be searched), so that such a path still
        compares equal to itself.
    """
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return path.absolute()


def broken_link_reason(path: Path) -> str | None:
    """Say why `path`, which is there, cannot be followed: a link to nothing or a loop.

    Parameters
    ----------
    path : Path
        A path that exists as an entry (:func:`os.path.lexists`).

    Returns
    -------
    str or None
        ``"a symbolic link to nothing"``, ``"a symbolic link loop"`` or the system's
        reason where the entry cannot be followed (a folder, or a file, cannot be made or
        written through it); None where it can.
    """
    try:
        os.stat(path)
    except OSError as error:
        why = {errno.ENOENT: "a symbolic link to nothing", errno.ELOOP: "a symbolic link loop"}
        return why.get(error.errno, error.strerror or str(error))
    return None


def unlisted_reason(error: OSError) -> str:
    """Say why a folder could not be listed: ``"the folder cannot be read: Permission denied"``.

    Parameters
    ----------
    error : OSError
        What listing it raised (:func:`os.walk`'s ``onerror`` gets it).

    Returns
    -------
    str
    """
    return f"the folder cannot be read: {error.strerror or error}"
