"""Paths compared as the files they name, where some cannot be resolved.

:meth:`pathlib.Path.resolve` raises ``RuntimeError`` on a symbolic link loop before
Python 3.13 (which leaves the loop unresolved). A scan lists such a file among those it
could not read, so code that compares the paths it is given uses :func:`resolved`.
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
