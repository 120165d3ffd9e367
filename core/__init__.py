"""Core of xray-denoise: image I/O, noise physics, metrics and the diffusion denoiser.

This package never imports Qt or ``xraygui``; the desktop app is a client of it. Importing
it, or any of its library modules, leaves ``os.environ`` alone and runs no program: git is
asked for the commit only when a written file or report first names the version, and only in
a checkout.

Where to start, as a library (an example: ``docs/development.md``, "Using core from Python"):

- :func:`core.io.read_image` and :func:`core.io.write_image`: files to and from
  :class:`core.image.XrayImage` (an array is wrapped as ``XrayImage(pixels,
  StoredMapping(bits_stored=12), Window(center, width))``).
- :mod:`core.noise`: :func:`~core.noise.phantom_image` (a synthetic chest radiograph),
  :func:`~core.noise.estimate_noise_sigma`, :class:`~core.noise.LowDoseSettings` and
  :func:`~core.noise.simulate_low_dose_image`.
- :mod:`core.denoise`: :func:`~core.denoise.open_model` (the shipped model by default),
  :func:`~core.denoise.estimate_image_noise` (the noise as the denoiser sees it),
  :class:`~core.denoise.DenoiseSettings`, :func:`~core.denoise.denoise_steps` (progress
  events, cancelled by closing it) and :func:`~core.denoise.denoise_image` (blocking).
- :func:`core.metrics.compare`: MSE, PSNR and SSIM against a reference.
- :mod:`core.training`: :func:`~core.training.train` with a
  :class:`~core.training.TrainConfig`.

The programs' entry points: :func:`core.cli.main` (``xray-denoise``, ``python -m core.cli``),
:func:`core.training.__main__.main` (``python -m core.training``) and, outside ``core``,
``xraygui.__main__.main`` (``xraygui``) and ``xraygui/bundle_entry.py`` (the frozen bundle).
Each calls :func:`limit_openmp_spinning` before torch loads.
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
programs, and the app's own window thread shares the cores with the denoise. The programs
set it (:func:`limit_openmp_spinning`); importing ``core`` does not.
"""


def limit_openmp_spinning() -> None:
    """Have torch's OpenMP threads spin only :data:`OPENMP_SPIN_COUNT` times before they sleep.

    Sets ``GOMP_SPINCOUNT`` in ``os.environ`` unless it is set already (the user's
    choice is kept), so that child processes, training's data-loading workers among them,
    inherit it. GNU OpenMP reads it once, when torch loads it: call this before anything
    imports torch, or it changes nothing in this process. Every program of the project
    (the app, ``xray-denoise``, ``python -m core.training``, the frozen bundle) calls it
    first; a script using ``core`` as a library may, as its first line.

    Examples
    --------
    >>> import core
    >>> core.limit_openmp_spinning()  # first, before anything imports torch
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
