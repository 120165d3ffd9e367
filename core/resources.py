"""Where the files that ship with the application live (model weights, sample, icons)."""

from __future__ import annotations

import hashlib
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

    Read from the model's card, the hash of its weights and the installed metadata,
    without loading PyTorch, so that an inventory or a report can name exactly what
    produced a result, and whether the shipped weights are there and intact.

    Parameters
    ----------
    program : str
        ``"xray-denoise"`` or ``"xraygui"``.
    package_version : str
        ``core.__version__``.

    Returns
    -------
    str
        E.g. ``"xraygui 0.1.0 (model xray-diffusion, SHA-256 a20fbd500d92, 2026-11-26;
        torch 2.13.0+cpu)"``; the SHA-256 is the card's, followed by what is wrong
        with the weights file where something is (:func:`weights_problem`): ``"SHA-256
        a20fbd500d92 (weights missing)"``.
    """
    model = default_model_path()
    try:
        card = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
        sha = str(card["weights_sha256"])
        problem = weights_problem(model, sha)
        described = (
            f"model {model.stem}, SHA-256 {sha[:12]}{f' ({problem})' if problem else ''}, "
            f"{str(card['created'])[:10]}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        described = f"model {model.stem} not found"
    try:
        torch_build = f"torch {version('torch')}"
    except PackageNotFoundError:  # a bundle may leave PyTorch's metadata out
        torch_build = "torch version unknown"
    return f"{program} {package_version} ({described}; {torch_build})"


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes as lower-case hex, read in 1 MiB chunks.

    Raises
    ------
    OSError
        If the file cannot be read.
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_or_none(path: Path) -> str | None:
    """Return the SHA-256 of a file's bytes (lower-case hex), or None if it cannot be read.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    str or None
    """
    try:
        return file_sha256(path)
    except OSError:
        return None


def weights_problem(weights: Path, sha256: str) -> str:
    """Say what is wrong with a weights file against its card's SHA-256 (about 30 ms).

    Parameters
    ----------
    weights : Path
        The weights file.
    sha256 : str
        The hex digest its card gives (either case).

    Returns
    -------
    str
        ``"weights missing"``, ``"weights unreadable: REASON"``, ``"weights do not
        match this SHA-256"``, or ``""`` where the file is there and matches.
    """
    try:
        actual = file_sha256(weights)
    except FileNotFoundError:
        return "weights missing"
    except OSError as error:
        return f"weights unreadable: {error.strerror or error}"
    return "" if actual == sha256.strip().lower() else "weights do not match this SHA-256"
