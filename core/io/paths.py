"""Paths that cannot be resolved or listed: compared as the files they name, and said why.

:meth:`pathlib.Path.resolve` raises ``RuntimeError`` on a symbolic link loop before
Python 3.13 (which leaves the loop unresolved). A scan lists such a file among those it
could not read, so code that compares the paths it is given uses :func:`resolved`. A
folder that :func:`os.walk` cannot list is named with :func:`unlisted_reason`, in the same
words wherever it is met (the app's scan and batch, training).
"""

from __future__ import annotations

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
