"""A data folder's subfolder that cannot be read is named, with why, never silently left out
of training; and the model card's licence lookup names that folder, never a file in it that
may not exist.

The tests run as root in CI, where ``chmod 000`` blocks nothing: there the refusals are
made by patching the listing (``os.scandir``, which ``os.walk`` lists with) or the look-up
(``Path.is_file``) to raise the ``PermissionError`` the system raises for another user.
The last test makes a real unreadable folder and runs only where permissions apply.
"""

import logging
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.training.data import describe_source, find_images, walk_files

DATA_LOG = "core.training.data"


def _patients(root: Path) -> Path:
    """``p1/a.png``, ``p2/b.png`` and ``p2/ATTRIBUTION.md``."""
    for name in ("p1/a.png", "p2/b.png"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((8, 8), 1000, np.uint16)).save(root / name)
    (root / "p2" / "ATTRIBUTION.md").write_text("Site 2 images.")
    return root


def _refuse_search(monkeypatch, folder: Path) -> None:
    """Make looking up a name in `folder` fail, as it does without search permission."""
    is_file = Path.is_file

    def refusing(path):
        if path.parent == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return is_file(path)

    monkeypatch.setattr(Path, "is_file", refusing)


def test_a_folder_that_cannot_be_listed_is_named_with_why(refuse_listing, tmp_path, caplog):
    data = _patients(tmp_path / "data")
    refuse_listing(data / "p2")
    with caplog.at_level(logging.WARNING, logger=DATA_LOG):
        images = find_images(data)
    assert images == [data / "p1" / "a.png"]
    assert f"skipping {data / 'p2'}: the folder cannot be read: Permission denied" in caplog.text


def test_walk_files_returns_the_unlistable_folders(refuse_listing, tmp_path):
    data = _patients(tmp_path / "data")
    (data / ".hidden").mkdir()
    refuse_listing(data / "p2")
    files, unreadable = walk_files(data)
    assert data / "p1" / "a.png" in files and data / "p2" / "b.png" not in files
    assert unreadable == [(data / "p2", "the folder cannot be read: Permission denied")]


def test_an_unlistable_hidden_folder_is_left_out_without_a_warning(
    refuse_listing, tmp_path, caplog
):
    data = _patients(tmp_path / "data")
    (data / ".Trash-1000").mkdir()
    refuse_listing(data / ".Trash-1000")
    with caplog.at_level(logging.WARNING, logger=DATA_LOG):
        assert len(find_images(data)) == 2
    assert "Trash" not in caplog.text


def test_the_files_of_a_folder_that_cannot_be_searched_are_named_not_a_crash(
    tmp_path, monkeypatch, caplog
):
    data = _patients(tmp_path / "data")
    _refuse_search(monkeypatch, data / "p2")  # as after ``chmod -R 644``: listed, not searched
    with caplog.at_level(logging.WARNING, logger=DATA_LOG):
        images = find_images(data)
    assert images == [data / "p1" / "a.png"]
    assert f"skipping {data / 'p2' / 'b.png'}: cannot be read: Permission denied" in caplog.text


def test_the_licence_lookup_names_the_unreadable_folder_not_a_file_in_it(
    tmp_path, monkeypatch, caplog
):
    data = _patients(tmp_path / "data")
    (data / "LICENSE").write_text("CC BY 4.0")
    _refuse_search(monkeypatch, data / "p2")
    with caplog.at_level(logging.WARNING, logger=DATA_LOG):
        info = describe_source(data)
    assert info == {"license": "CC BY 4.0"}
    assert (
        f"leaving {data / 'p2'} out of the model card: the folder cannot be read: "
        "Permission denied" in caplog.text
    )
    assert "ATTRIBUTION" not in caplog.text


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any folder")
def test_a_real_unreadable_folder(tmp_path, caplog):
    data = _patients(tmp_path / "data")
    locked = data / "p2"
    locked.chmod(0)
    try:
        with caplog.at_level(logging.WARNING, logger=DATA_LOG):
            images = find_images(data)
            info = describe_source(data)
    finally:
        locked.chmod(0o755)
    assert images == [data / "p1" / "a.png"]
    assert f"skipping {locked}: the folder cannot be read: Permission denied" in caplog.text
    assert "sources" not in info
    assert f"leaving {locked} out of the model card: the folder cannot be read" in caplog.text
    assert "ATTRIBUTION" not in caplog.text


def test_the_model_card_counts_an_unreadable_folder_as_unreadable(
    refuse_listing, tmp_path, tiny_config
):
    from dataclasses import replace

    from core.training.loop import _prepare_data

    folder = tmp_path / "data"
    rng = np.random.default_rng(5)
    for name in ("p1/a.png", "p1/b.png", "p3/c.png", "p2/d.png"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray((rng.random((40, 40)) * 255).astype(np.uint8)).save(folder / name)
    refuse_listing(folder / "p2")
    card = _prepare_data(replace(tiny_config, data=folder)).card
    assert card["skipped"] == {"unreadable": 1, "too_small": 0, "constant": 0, "not_images": 0}
    assert card["n_images"] == 3
