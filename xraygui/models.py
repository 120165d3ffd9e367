"""Which diffusion models the app can offer: the bundled one, the user's, files picked by hand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from core.denoise import default_model_path
from core.diffusion import card_path


@dataclass(frozen=True)
class ModelEntry:
    """A model file the user can choose.

    Parameters
    ----------
    label : str
        Shown in the model picker.
    path : Path
        The ``.safetensors`` weights (its JSON card beside it).
    """

    label: str
    path: Path


def user_model_dir() -> Path:
    """Folder for the user's own models: ``user_data_dir("xray-denoise")/models``."""
    return Path(user_data_dir("xray-denoise")) / "models"


def find_models(extra: list[Path] | tuple[Path, ...] = ()) -> list[ModelEntry]:
    """List the usable model files, bundled first, each once.

    A file counts only if its model card exists beside it.

    Parameters
    ----------
    extra : sequence of Path
        Files the user loaded by hand earlier (kept in the settings).

    Returns
    -------
    list of ModelEntry
    """
    entries: list[ModelEntry] = []
    seen: set[Path] = set()

    def add(label: str, path: Path) -> None:
        resolved = path.resolve()
        if resolved not in seen and path.is_file() and card_path(path).is_file():
            seen.add(resolved)
            entries.append(ModelEntry(label, path))

    add(f"Bundled ({default_model_path().stem})", default_model_path())
    folder = user_model_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.safetensors")):
            add(f"{path.stem} (user)", path)
    for path in extra:
        add(f"{Path(path).stem} ({Path(path).parent.name})", Path(path))
    return entries
