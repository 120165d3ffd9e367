"""Open Folder passes over what training leaves out: one rule, ``left_out``.

It passed over names starting with ``.`` only, so a USB drive's ``$RECYCLE.BIN`` listed
the images deleted from it.
"""

import stat

import numpy as np
from PIL import Image

from core.training.data import sort_files
from xraygui.catalog import iter_image_files

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


def test_the_scan_lists_the_images_training_takes(tmp_path, file_attributes):
    root = tmp_path / "usb"
    for name in TREE:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(root / name, format="PNG")
    file_attributes({"cache.png": stat.FILE_ATTRIBUTE_HIDDEN, "vendor": stat.FILE_ATTRIBUTE_SYSTEM})
    scanned = sorted(iter_image_files([root]))
    assert scanned == [root / "im0.png", root / "sub" / "im1.png"]
    assert scanned == sort_files(root)[0]
