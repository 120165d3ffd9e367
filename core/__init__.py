"""Core of xray-denoise: image I/O, noise physics, metrics and the diffusion denoiser.

This package never imports Qt or ``xraygui``; the desktop app is a client of it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xray-denoise")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
