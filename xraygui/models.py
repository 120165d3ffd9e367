"""Which diffusion models the app can offer: the bundled one, the user's, files picked by hand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from core.denoise import default_model_path
from core.diffusion import card_path
from core.io.paths import resolved
from core.resources import INSTALLED_DATA, SHIPPED_MODEL

FileStamp = tuple[str, int, int, int, int]
"""A file as it is on disk now: resolved path, size, mtime and ctime (ns), inode."""
BUNDLED = "bundled"
"""What the settings hold for the shipped model: whichever install runs, never its path."""
_SHIPPED_FOLDERS = (("resources", "models"), (*INSTALLED_DATA.parts, "models"))
"""Where an install keeps the shipped model: a checkout's or a bundle's ``resources/models``
(``_internal/resources/models``), ``pip install``'s ``share/xray-denoise/models``."""


@dataclass(frozen=True)
class ModelEntry:
    """A model file the user can choose.

    Parameters
    ----------
    label : str
        Shown in the model picker.
    path : Path
        The ``.safetensors`` weights (its JSON card beside it).
    missing : bool
        The model chosen last, whose files are gone (deleted, moved, on a share not
        mounted): shown so that the choice is not silently replaced, never usable.
    """

    label: str
    path: Path
    missing: bool = False


def user_model_dir() -> Path:
    """Folder for the user's own models: ``user_data_dir("xray-denoise")/models``."""
    return Path(user_data_dir("xray-denoise")) / "models"


def is_shipped(path: Path) -> bool:
    """Whether a weights file is the shipped model, of this install or of another one.

    Another install's (a release upgraded or moved since, a checkout) is told by its file
    name and the folders it lies in. A file in the user's model folder is the user's.

    Parameters
    ----------
    path : Path
        A weights file, e.g. one the settings name.

    Returns
    -------
    bool
    """
    path = Path(path).absolute()
    if path == default_model_path().absolute():
        return True
    if path.name != SHIPPED_MODEL or path.parent == user_model_dir().absolute():
        return False
    return any(path.parent.parts[-len(tail) :] == tail for tail in _SHIPPED_FOLDERS)


def stored_model(path: Path) -> str:
    """Say how the settings remember a chosen model: :data:`BUNDLED`, or its path.

    Parameters
    ----------
    path : Path
        The weights file chosen.

    Returns
    -------
    str
        :data:`BUNDLED` for the shipped model (any install's), so that an upgraded or
        moved install uses its own; else the path as given.
    """
    return BUNDLED if is_shipped(path) else str(path)


def stored_path(stored: str) -> Path | None:
    """Read back what :func:`stored_model` (or an older release, a path) stored.

    Parameters
    ----------
    stored : str
        The settings' value; ``""`` for none.

    Returns
    -------
    Path or None
        The running install's shipped model for :data:`BUNDLED` or any install's shipped
        model; else the path stored; None for ``""``.
    """
    if not stored:
        return None
    if stored == BUNDLED or is_shipped(Path(stored)):
        return default_model_path()
    return Path(stored)


def _usable(path: Path) -> bool:
    """Whether a weights file and its model card are both there."""
    return path.is_file() and card_path(path).is_file()


def find_models(extra: list[Path] | tuple[Path, ...] = ()) -> list[ModelEntry]:
    """List the usable model files, bundled first, each once.

    A file counts only if its model card exists beside it. The bundled model and the
    user's model folder list a file reached by two paths (a symbolic link and its
    target) once, by the first path. A file loaded by hand is listed by the path it was
    loaded by, even when it links to a file listed already: a link is a choice of its
    own, whose target IT may change. Files loaded by hand are labelled
    ``"stem (folder)"``, with more of their folders where two labels would otherwise
    read alike.

    A file loaded by hand that is the shipped model (:func:`is_shipped`), this install's
    or another's, is the bundled entry: an upgrade never lists the previous release's.

    Parameters
    ----------
    extra : sequence of Path
        Files the user loaded by hand earlier (kept in the settings), newest first.

    Returns
    -------
    list of ModelEntry
    """
    fixed: list[ModelEntry] = []
    seen: set[Path] = set()

    def new(path: Path) -> bool:
        name = resolved(path)
        if name in seen or not _usable(path):
            return False
        seen.add(name)
        return True

    bundled = default_model_path()
    if new(bundled):
        fixed.append(ModelEntry(f"Bundled ({bundled.stem})", bundled))
    folder = user_model_dir()
    if folder.is_dir():
        fixed += [
            ModelEntry(f"{path.stem} (user)", path)
            for path in sorted(folder.glob("*.safetensors"))
            if new(path)
        ]
    given = {entry.path.absolute() for entry in fixed}
    by_hand = []
    for path in map(Path, extra):
        if path.absolute() not in given and not is_shipped(path) and _usable(path):
            given.add(path.absolute())
            by_hand.append(path)
    labels = _distinct_labels(by_hand, [entry.label for entry in fixed])
    return fixed + [ModelEntry(label, path) for label, path in zip(labels, by_hand, strict=True)]


def _distinct_labels(paths: list[Path], taken: list[str]) -> list[str]:
    """Label files ``"stem (folder)"``, adding outer folders to those that read alike.

    A label that still clashes with all its folders shown becomes ``"name (folder)"``,
    the whole path; distinct paths always give distinct labels then.
    """
    depth = [1] * len(paths)

    def label(path: Path, folders: int) -> str:
        parts = path.parent.parts
        if folders >= len(parts):
            return f"{path.name} ({path.parent})"
        return f"{path.stem} ({Path(*parts[-folders:])})"

    while True:
        labels = [label(path, d) for path, d in zip(paths, depth, strict=True)]
        every = taken + labels
        clashing = [i for i, text in enumerate(labels) if every.count(text) > 1]
        growing = [i for i in clashing if depth[i] < len(paths[i].parent.parts)]
        if not growing:
            return labels
        for i in growing:
            depth[i] += 1


def remembered_entry(path: Path) -> ModelEntry:
    """Make the entry of a model chosen earlier that the picker does not list.

    Parameters
    ----------
    path : Path
        The weights file the settings name as the choice.

    Returns
    -------
    ModelEntry
        ``"stem (folder)"`` if its files are there (a choice no longer among the loaded
        models), else ``"stem (missing: path)"`` marked missing.
    """
    if _usable(path):
        return ModelEntry(f"{path.stem} ({path.parent.name})", path)
    return ModelEntry(f"{path.stem} (missing: {path})", path, missing=True)


def remember(stored: list[str], path: Path) -> list[str]:
    """Put a model loaded by hand first in the list of such models, once, with no cap.

    Parameters
    ----------
    stored : list of str
        The list as stored now (newest first).
    path : Path
        The weights file loaded, kept as given (made absolute, a symbolic link not
        followed): a link that IT points at a newer model later is followed then.

    Returns
    -------
    list of str
        The list to store; unchanged for the shipped model (:func:`is_shipped`), which
        the picker always lists as the bundled entry.
    """
    if is_shipped(path):
        return stored
    chosen = str(path.absolute())
    return [chosen, *(entry for entry in stored if entry != chosen)]


def model_stamp(path: Path) -> tuple[FileStamp, ...] | None:
    """Identify a model's weights and card as they are on disk now.

    Two stamps are equal only if neither file was replaced, rewritten or repointed
    (through a symbolic link) in between.

    Parameters
    ----------
    path : Path
        The weights file.

    Returns
    -------
    tuple of FileStamp or None
        One per file, or None if either cannot be read.
    """
    stamps = []
    for file in (Path(path), card_path(path)):
        try:
            status = file.stat()
        except OSError:
            return None
        name = str(resolved(file))
        stamps.append((name, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino))
    return tuple(stamps)
