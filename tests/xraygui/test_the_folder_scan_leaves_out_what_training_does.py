"""Open Folder passes over what training leaves out: one rule, ``left_out``.

It passed over names starting with ``.`` only, so a USB drive's ``$RECYCLE.BIN`` listed
the images deleted from it.
"""

import os
import stat
from pathlib import Path

import numpy as np
from PIL import Image

from core.training import data
from core.training.data import sort_files
from xraygui.catalog import iter_image_files


class _Marked:
    """An ``os.lstat`` result with Windows file attributes (none elsewhere)."""

    def __init__(self, real: os.stat_result, attributes: int) -> None:
        self._real, self.st_file_attributes = real, attributes

    def __getattr__(self, name: str):
        return getattr(self._real, name)


def _mark(monkeypatch, attributes: dict[str, int]) -> None:
    real = os.lstat

    def lstat(path, *args, **kwargs):
        result = real(path, *args, **kwargs)
        marked = attributes.get(Path(path).name)
        return result if marked is None else _Marked(result, marked)

    monkeypatch.setattr(os, "lstat", lstat)
    monkeypatch.setattr(data, "HAS_FILE_ATTRIBUTES", True)  # as on Windows


TREE = (
    "im0.png",
    "sub/im1.png",
    "$RECYCLE.BIN/S-1-5-21-1004336348-1177238915-682003330-1001/$R7QX2KD.png",
    "System Volume Information/x.png",
    "@eaDir/im0.png/THUMB.png",
    ".thumbnails/im0.png",
    "sub/._im1.png",
    "cache.png",
    "vendor/im2.png",
)


def test_the_scan_lists_the_images_training_takes(tmp_path, monkeypatch):
    root = tmp_path / "usb"
    for name in TREE:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(root / name, format="PNG")
    _mark(
        monkeypatch, {"cache.png": stat.FILE_ATTRIBUTE_HIDDEN, "vendor": stat.FILE_ATTRIBUTE_SYSTEM}
    )
    scanned = sorted(iter_image_files([root]))
    assert scanned == [root / "im0.png", root / "sub" / "im1.png"]
    assert scanned == sort_files(root)[0]
