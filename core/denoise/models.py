"""The model that ships with the application, and loading a model by path."""

from __future__ import annotations

from pathlib import Path

import torch

from core.diffusion.model import DiffusionModel, load_model
from core.errors import ModelFileError
from core.resources import default_model_path

SHIPPED_MODEL_MISSING = (
    "the shipped model is missing from this installation (reinstall, or use another model file)"
)
"""Why the shipped model cannot load when it is not installed: worded for every front end."""


def open_model(
    path: str | Path | None = None, *, device: str | torch.device = "cpu"
) -> DiffusionModel:
    """Load a model file, or the shipped model.

    Parameters
    ----------
    path : str or Path or None
        A ``.safetensors`` file with its model card beside it; None for
        :func:`default_model_path`.
    device : str or torch.device
        Where to put the weights; a name as :func:`core.device.select_device` takes it
        (``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``).

    Returns
    -------
    DiffusionModel

    Raises
    ------
    ModelFileError
        If the file is missing (for the shipped model: a message that says so) or
        unreadable.
    ValueError
        If ``device`` is unknown or not on this machine.
    """
    if path is None:
        path = default_model_path()
        if not path.is_file():
            raise ModelFileError(path, SHIPPED_MODEL_MISSING)
    return load_model(path, device=device)
