"""Core of xray-denoise: image I/O, noise physics, metrics and the diffusion denoiser.

This package never imports Qt or ``xraygui``; the desktop app is a client of it.
"""

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

UNKNOWN_VERSION = "0.0.0+unknown"
"""The version reported where neither an installation nor a source tree names one."""


def _source_tree_version(pyproject: Path) -> str:
    """Return the version a source checkout's ``pyproject.toml`` declares for this project.

    Parameters
    ----------
    pyproject : Path
        The checkout's ``pyproject.toml``.

    Returns
    -------
    str
        Its ``[project]`` version when the file is this project's, else
        :data:`UNKNOWN_VERSION`.
    """
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return UNKNOWN_VERSION
    if not re.search(r'^name = "xray-denoise"$', text, re.MULTILINE):
        return UNKNOWN_VERSION
    match = re.search(r'^version = "([^"]+)"$', text, re.MULTILINE)
    return match.group(1) if match else UNKNOWN_VERSION


try:
    __version__ = version("xray-denoise")
except PackageNotFoundError:  # a source tree on the path, not installed (a GPU server, say)
    __version__ = _source_tree_version(Path(__file__).resolve().parent.parent / "pyproject.toml")
