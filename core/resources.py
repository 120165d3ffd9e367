"""Where the files that ship with the application live (model weights, sample, icons)."""

from __future__ import annotations

import json
import sys
import sysconfig
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

SHIPPED_MODEL = "xray-diffusion.safetensors"
"""The file name of the model that ships with the application."""
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


def default_model_path() -> Path:
    """Return where the shipped model lives: ``resources/models/xray-diffusion.safetensors``."""
    return resources_dir() / "models" / SHIPPED_MODEL


def version_line(program: str, package_version: str) -> str:
    """Describe this build for ``--version``: program, version, shipped model, PyTorch build.

    Read from the model's card and the installed metadata, without loading PyTorch,
    so that an inventory or a report can name exactly what produced a result.

    Parameters
    ----------
    program : str
        ``"xray-denoise"`` or ``"xraygui"``.
    package_version : str
        ``core.__version__``.

    Returns
    -------
    str
        E.g. ``"xraygui 0.1.0 (model xray-diffusion, SHA-256 8b2679c359d6, 2026-11-26;
        torch 2.13.0+cpu)"``.
    """
    model = default_model_path()
    try:
        card = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
        described = (
            f"model {model.stem}, SHA-256 {str(card['weights_sha256'])[:12]}, "
            f"{str(card['created'])[:10]}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        described = f"model {model.stem} not found"
    try:
        torch_build = f"torch {version('torch')}"
    except PackageNotFoundError:  # a bundle may leave PyTorch's metadata out
        torch_build = "torch version unknown"
    return f"{program} {package_version} ({described}; {torch_build})"
