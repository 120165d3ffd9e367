"""A Windows drive's ``$RECYCLE.BIN`` (deleted files) and other system folders are no data.

Windows marks them hidden and system rather than naming them with a leading dot, so
training took the deleted images as data. Entries Windows marks hidden or system are left
out as well (emulated here: other systems have no such attributes).
"""

import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.training.data import left_out, sort_files

DELETED = "$RECYCLE.BIN/S-1-5-21-1004336348-1177238915-682003330-1001/$R7QX2KD.png"


def _png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(path)
    return path


@pytest.mark.parametrize(
    "name",
    [
        DELETED,
        "$Recycle.Bin/S-1-5-18/$RABC.png",
        "RECYCLER/x.png",
        "System Volume Information/x.png",
    ],
)
def test_a_drives_system_folders_are_left_out(tmp_path, name):
    root = tmp_path / "usb"
    kept = _png(root / "im0.png")
    _png(root / name)
    images, others = sort_files(root)
    assert (images, others) == ([kept], [])


def test_entries_marked_hidden_or_system_are_left_out(tmp_path, file_attributes):
    root = tmp_path / "data"
    kept = [_png(root / "a.png"), _png(root / "archived.png")]
    _png(root / "cache.png")
    _png(root / "vendor" / "b.png")
    file_attributes(
        {
            "cache.png": stat.FILE_ATTRIBUTE_HIDDEN,
            "vendor": stat.FILE_ATTRIBUTE_SYSTEM | stat.FILE_ATTRIBUTE_DIRECTORY,
            "archived.png": stat.FILE_ATTRIBUTE_ARCHIVE,
        },
    )
    assert sort_files(root) == (kept, [])
    assert left_out(Path("vendor"), root) and not left_out(Path("vendor"))
