"""Training walks its data folder once, and never enters the folders it leaves out.

Before, ``walk_files`` listed and examined every file under a hidden or system folder (a
NAS's ``.snapshot`` copy of the whole data, say) only for it to be dropped, and training
walked the folder a second time to count what could not be listed for the model card.
"""

import logging
import os
import shutil
from dataclasses import replace
from pathlib import Path

import core.training.data as data_module
import core.training.loop as loop
from core.training.data import find_images, walk_files
from core.training.loop import _prepare_data, find_training_files

TREE = (
    "a.png",
    "sub/b.png",
    "sub/._b.png",
    ".snapshot/hourly/a.png",
    "sub/.thumbnails/b.png",
    "@eaDir/a.png/THUMB.png",
    "__MACOSX/a.png",
)


def _tree(root: Path) -> Path:
    for name in TREE:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"")
    return root


def _count_walks(monkeypatch) -> list[Path]:
    """Record the folder of each walk_files call."""
    calls: list[Path] = []
    real = data_module.walk_files

    def counting(folder, **kwargs):
        calls.append(folder)
        return real(folder, **kwargs)

    monkeypatch.setattr(data_module, "walk_files", counting)
    # The training loop called walk_files itself before: count such a call too.
    monkeypatch.setattr(loop, "walk_files", counting, raising=False)
    return calls


def test_walk_files_never_enters_a_folder_left_out(tmp_path, monkeypatch):
    data = _tree(tmp_path / "data")
    listed: list[Path] = []
    scandir = os.scandir

    def recording(path="."):
        listed.append(Path(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", recording)
    pruned: list[Path] = []
    files, unreadable = walk_files(data, pruned=pruned)
    assert sorted(listed) == [data, data / "sub"]
    assert sorted(pruned) == [
        data / name for name in (".snapshot", "@eaDir", "__MACOSX", "sub/.thumbnails")
    ]
    assert files == [data / "a.png", data / "sub" / "._b.png", data / "sub" / "b.png"]
    assert unreadable == []


def test_what_is_left_out_is_counted_in_one_line(tmp_path, caplog):
    data = _tree(tmp_path / "data")
    with caplog.at_level(logging.INFO, logger="core.training.data"):
        images = find_images(data)
    assert images == [data / "a.png", data / "sub" / "b.png"]
    (line,) = [message for message in caplog.messages if "left out" in message]
    assert line.startswith(f"{data}: 4 hidden or system folder(s) and 1 hidden file(s) (")
    assert line.endswith("left out, such as .snapshot")


def test_find_images_hands_on_what_cannot_be_read(refuse_listing, tmp_path):
    data = _tree(tmp_path / "data")
    refuse_listing(data / "sub")
    unreadable: list[tuple[Path, str]] = []
    assert find_images(data, unreadable=unreadable) == [data / "a.png"]
    assert unreadable == [(data / "sub", "the folder cannot be read: Permission denied")]


def test_training_walks_the_data_folder_once(
    refuse_listing, tiny_config, image_folder, tmp_path, monkeypatch
):
    data = tmp_path / "data"
    shutil.copytree(image_folder, data)
    (data / "locked").mkdir()
    refuse_listing(data / "locked")
    calls = _count_walks(monkeypatch)
    files = find_training_files(data)  # as the command line finds them before training
    card = _prepare_data(replace(tiny_config, data=data), None, files).card
    assert calls == [data]
    assert card["skipped"]["unreadable"] == 2  # broken.png, and the folder not listed


def test_training_given_no_files_walks_the_data_folder_once(
    refuse_listing, tiny_config, image_folder, tmp_path, monkeypatch
):
    data = tmp_path / "data"
    shutil.copytree(image_folder, data)
    (data / "locked").mkdir()
    refuse_listing(data / "locked")
    calls = _count_walks(monkeypatch)
    card = _prepare_data(replace(tiny_config, data=data)).card
    assert calls == [data]
    assert card["skipped"]["unreadable"] == 2
