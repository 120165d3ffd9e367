"""Which code this is: the package version and, where known, the commit it came from.

Every file and report the project writes names the code that made it. The package
version alone covers every commit between two releases, some of which change pixels, so
:func:`software_version` adds the commit as a PEP 440 local version
(``0.1.0+g1a2b3c4d5e6f``, ``.dirty`` where tracked files had uncommitted changes): from
:data:`BUILD_COMMIT_FILE` in the app bundle (written by ``build.spec``), else from the
package's own git checkout; where neither names one (an installed wheel), the package
version alone. Git is asked only when a version is first asked for, never on import, and
only where the package's parent folder holds a ``.git`` entry: an installed package never
runs it.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from pathlib import Path

from core import __version__

GIT_TIMEOUT_S = 2.0
"""Longest wait for each git call."""

BUILD_COMMIT_FILE = "BUILD_COMMIT"
"""The file beside this module, in the app bundle only, that names the commit it was built
from, as :func:`checkout_commit` gives it."""

COMMIT_DIGITS = 12
"""How many hexadecimal digits of the commit :func:`software_version` gives."""

_COMMIT = re.compile(r"[0-9a-f]{40}(-dirty)?")

PACKAGE = Path(__file__).parent
"""The ``core`` package: its checkout (the folder above) or its bundle names the commit."""


def checkout_commit(package: Path) -> str:
    """Name the git commit a package's code came from, when it runs from a checkout.

    Asks git (``git rev-parse HEAD``; ``git status`` for uncommitted changes to
    tracked files) with a short timeout, only where the folder above the package holds
    a ``.git`` entry (a folder, or a file for a worktree or submodule): elsewhere git is
    never run (an installed package; a machine where running it would ask to install
    it). The checkout must be the package's own: a package installed into a virtual
    environment or bundled by PyInstaller inside some other repository has none.

    Parameters
    ----------
    package : Path
        The folder of the package (``core``); its checkout is the folder above.

    Returns
    -------
    str
        The commit's full hash, with ``"-dirty"`` appended where tracked files
        differ from it (as ``git describe --dirty`` marks it); empty where git, the
        checkout or an answer within :data:`GIT_TIMEOUT_S` is missing.
    """
    if not os.path.lexists(package.resolve().parent / ".git"):
        return ""  # not the top folder of a checkout: git is not asked
    try:
        top, commit = _git(package, "rev-parse", "--show-toplevel", "HEAD").splitlines()
        if Path(top).resolve() != package.resolve().parent:
            return ""
        changed = _git(package, "status", "--porcelain", "--untracked-files=no")
    except (OSError, ValueError, subprocess.SubprocessError):
        return ""  # no git, not a checkout, a folder that is gone, or git too slow
    return f"{commit}-dirty" if changed.strip() else commit


def _git(folder: Path, *args: str) -> str:
    """Run git in ``folder`` without a console window or index lock; return its output."""
    return subprocess.run(
        ["git", *args],
        cwd=folder,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},  # never rewrite the index
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=GIT_TIMEOUT_S,
        check=True,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # Windows only
    ).stdout


def built_commit(package: Path) -> str:
    """Return the commit a bundle's :data:`BUILD_COMMIT_FILE` names; empty without one.

    Parameters
    ----------
    package : Path
        The folder of the package (``core``).

    Returns
    -------
    str
        As :func:`checkout_commit` gives it; empty where the file is missing or holds
        anything else.
    """
    try:
        text = (package / BUILD_COMMIT_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return text if _COMMIT.fullmatch(text) else ""


def code_commit(package: Path = PACKAGE) -> str:
    """Return the commit the code came from: the bundle's, else the checkout's, else empty."""
    return built_commit(package) or checkout_commit(package)


def local_version(version: str, commit: str) -> str:
    """Return `version` with `commit` as its PEP 440 local part.

    Parameters
    ----------
    version : str
        The package version, such as ``"0.1.0"``.
    commit : str
        As :func:`checkout_commit` gives it; empty for none.

    Returns
    -------
    str
        ``"0.1.0+g1a2b3c4d5e6f"``, ``"0.1.0+g1a2b3c4d5e6f.dirty"``, or `version` itself
        where `commit` is empty.
    """
    if not commit:
        return version
    dirty = ".dirty" if commit.endswith("-dirty") else ""
    return f"{version}+g{commit[:COMMIT_DIGITS]}{dirty}"


@functools.cache
def software_version() -> str:
    """Return the version every written file and report names: package version and commit.

    Git is asked once per process (:func:`code_commit`).
    """
    return local_version(__version__, code_commit())


def software() -> str:
    """Return the code's name and version, as written files and reports name it.

    Returns
    -------
    str
        ``"xray-denoise 0.1.0+g1a2b3c4d5e6f"`` (:func:`software_version`).
    """
    return f"xray-denoise {software_version()}"


def write_build_commit(folder: Path, package: Path = PACKAGE) -> Path | None:
    """Write :data:`BUILD_COMMIT_FILE` for a bundle built from `package`'s checkout.

    ``build.spec`` ships the file beside the bundled ``core``, where :func:`built_commit`
    reads it: a bundle has no checkout to ask.

    Parameters
    ----------
    folder : Path
        Where to write it (the build's work folder).
    package : Path
        The ``core`` package being bundled.

    Returns
    -------
    Path or None
        The file written; None where the package's checkout names no commit.
    """
    commit = checkout_commit(package)
    if not commit:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BUILD_COMMIT_FILE
    path.write_text(f"{commit}\n", encoding="ascii")
    return path
