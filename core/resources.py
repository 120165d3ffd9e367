"""Where the files that ship with the application live (model weights, sample, icons)."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """Return the ``resources/`` folder of a source checkout or a PyInstaller bundle.

    Returns
    -------
    Path
        ``sys._MEIPASS/resources`` inside a frozen bundle, else the
        ``resources`` folder beside the ``core`` package.
    """
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root is not None:
        return Path(bundle_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def sample_image_path() -> Path:
    """Return the bundled synthetic chest radiograph (a DICOM file)."""
    return resources_dir() / "sample" / "synthetic_chest.dcm"
