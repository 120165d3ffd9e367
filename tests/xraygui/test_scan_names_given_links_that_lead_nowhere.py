"""Paths given to the scan that are a symbolic link loop or a link to nothing are listed.

Python 3.11's ``Path.is_dir()`` and ``Path.is_file()`` say False for ELOOP and ENOENT
instead of raising, so such a path was neither walked nor tried, and the browser dropped
it without a word (the same loop inside a folder was listed as Unreadable).
"""

import errno
import os

import numpy as np
import pytest

from xraygui.catalog import ScanEntry, Unreadable, iter_image_files, scan_images


@pytest.fixture
def given(tmp_path):
    """A link loop, a link to nothing and an image, in that order."""
    (tmp_path / "loopy").symlink_to("loopy")
    (tmp_path / "dangling.png").symlink_to("gone.png")
    np.save(tmp_path / "ok.npy", np.zeros((8, 8), np.float32))
    return [tmp_path / "loopy", tmp_path / "dangling.png", tmp_path / "ok.npy"]


def test_the_scan_names_a_given_link_that_leads_nowhere_as_a_file(given):
    entries = list(scan_images(given))
    assert entries[:2] == [
        Unreadable(given[0], f"cannot read the file: {os.strerror(errno.ELOOP)}", False),
        Unreadable(given[1], f"cannot read the file: {os.strerror(errno.ENOENT)}", True),
    ]
    assert isinstance(entries[2], ScanEntry) and entries[2].path == given[2]
    assert len(entries) == 3


def test_iter_image_files_hands_such_a_path_to_onerror_or_passes_it_over(given):
    errors = []
    assert list(iter_image_files(given, onerror=errors.append)) == [given[2]]
    assert [(e.filename, e.errno) for e in errors] == [
        (str(given[0]), errno.ELOOP),
        (str(given[1]), errno.ENOENT),
    ]
    assert list(iter_image_files(given)) == [given[2]]


def test_a_given_fifo_is_tried_and_said_to_be_no_regular_file(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(tmp_path / "scan.png")
    assert list(scan_images([tmp_path / "scan.png"])) == [
        Unreadable(tmp_path / "scan.png", "not a regular file", True)
    ]
