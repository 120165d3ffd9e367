"""The training wizard's scan lists a folder it cannot list among the unusable, with why.

Training names such a folder in a warning and counts it as unreadable in the model card;
the wizard's scan only logged it, so its summary of the data left it out unseen. Root lists
any folder: the listing is refused here as for another user (``os.scandir`` raising
PermissionError).
"""

import errno
import os

import numpy as np
import pytest
from PIL import Image

from xraygui.wizard.scan import scan_folder

pytestmark = pytest.mark.gui


def test_a_folder_that_cannot_be_listed_is_unusable_with_its_reason(
    refuse_listing, tmp_path, drain
):
    folder, locked = tmp_path / "in", tmp_path / "in" / "locked"
    locked.mkdir(parents=True)
    film = np.random.default_rng(0).integers(1000, 3000, (64, 64)).astype(np.uint16)
    Image.fromarray(film).save(folder / "film.png")
    Image.fromarray(film).save(locked / "hidden.png")
    refuse_listing(locked)
    report = drain(scan_folder(folder, patch_size=32, binning=1))
    reason = f"the folder cannot be read: {os.strerror(errno.EACCES)}"
    assert (locked, reason) in report.unreadable
    assert [image.record.path.name for image in report.readable] == ["film.png"]
