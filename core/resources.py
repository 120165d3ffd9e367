"""Where the files that ship with the application live (model weights, sample, icons)."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

INSTALLED_DATA = Path("share") / "xray-denoise"
"""Where ``pip install`` puts ``resources/`` (``tool.setuptools.data-files`` in
``pyproject.toml``), under the installation's data directory."""


def _candidates() -> list[Path]:
    """Return the places ``resources/`` may be, in the order they are tried."""
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root is not None:
        return [Path(bundle_root) / "resources"]
    checkout = Path(__file__).resolve().parent.parent / "resources"
    environment = Path(sysconfig.get_path("data"))
    user = Path(sysconfig.get_path("data", sysconfig.get_preferred_scheme("user")))
    return [checkout, environment / INSTALLED_DATA, user / INSTALLED_DATA]


def resources_dir() -> Path:
    """Return the folder of the shipped files: a bundle's, a checkout's or an installation's.

    Returns
    -------
    Path
        ``sys._MEIPASS/resources`` inside a frozen bundle; else the ``resources``
        folder beside the ``core`` package (a source checkout or an editable
        install); else ``share/xray-denoise`` in the data directory that
        ``pip install`` filled (the environment's, then the user's). The first
        that holds the shipped model, or the first of them if none does (its files
        are then reported missing where they are needed).
    """
    places = _candidates()
    for place in places:
        if (place / "models").is_dir():
            return place
    return places[0]


def sample_image_path() -> Path:
    """Return the bundled synthetic chest radiograph (a DICOM file)."""
    return resources_dir() / "sample" / "synthetic_chest.dcm"
