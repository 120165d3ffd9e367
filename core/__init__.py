"""Core of xray-denoise: image I/O, noise physics, metrics and the diffusion denoiser.

This package never imports Qt or ``xraygui``; the desktop app is a client of it.
"""

import os
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

OPENMP_SPIN_COUNT = 10_000
"""How long (in spins) a waiting OpenMP thread of torch's CPU kernels spins before it sleeps.

GNU OpenMP spins 300,000 times by default, which pays where every thread has a core of
its own and costs much where it has not: with two busy processes beside it on 2 cores,
denoising the bundled sample with 2 threads took 13.8 s, with a spin count of 10,000 8.6 s,
and on the idle machine 3.4 s either way (medians of 3, ``benchmarks/busy_machine.py``,
``benchmarks/results/2026-11-27-busy-machine/``). A radiologist's workstation runs other
programs, and the app's own window thread shares the cores with the denoise. Set as
``GOMP_SPINCOUNT`` before torch loads, unless the environment already sets it.
"""
os.environ.setdefault("GOMP_SPINCOUNT", str(OPENMP_SPIN_COUNT))

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
