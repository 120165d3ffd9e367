"""The folder scan ends, and lists what it cannot read: FIFOs, link loops, locked folders.

A FIFO named as an image hung the scan (opening it waits for a writer) and the app
could not close; a folder that could not be listed was left out without a word. The
scan runs in a thread here, so that a regression fails rather than hangs.
"""

import errno
import os
import threading

import numpy as np
import pytest

from xraygui.catalog import ScanEntry, Unreadable, iter_image_files, scan_images

TIMEOUT_S = 20


def _image(path):
    np.save(path, np.arange(64, dtype=np.float32).reshape(8, 8))


def _scan(folder):
    """Return the scan's entries by name; fail if it still runs after TIMEOUT_S."""
    entries = []
    thread = threading.Thread(target=lambda: entries.extend(scan_images([folder])), daemon=True)
    thread.start()
    thread.join(TIMEOUT_S)
    assert not thread.is_alive(), "the scan still runs: it opened a FIFO"
    return {entry.path.name: entry for entry in entries}


def test_fifos_are_listed_as_not_regular_files_and_never_opened(tmp_path, fifo):
    for name in ("scan.png", "IM0001", "DICOMDIR", "1.2.826.0.1.3680043.8.498.101"):
        fifo(tmp_path / name)
    _image(tmp_path / "z_after.npy")
    entries = _scan(tmp_path)
    assert isinstance(entries.pop("z_after.npy"), ScanEntry)
    assert entries == {  # named as an image, or without a suffix: tried, and said why
        "scan.png": Unreadable(tmp_path / "scan.png", "not a regular file", True),
        "IM0001": Unreadable(tmp_path / "IM0001", "not a regular file", False),
        "DICOMDIR": Unreadable(tmp_path / "DICOMDIR", "not a regular file", False),
    }


def test_a_symbolic_link_loop_is_named_for_what_it_is(tmp_path):
    (tmp_path / "loop1.png").symlink_to("loop2.png")
    (tmp_path / "loop2.png").symlink_to("loop1.png")
    entries = _scan(tmp_path)
    reason = f"cannot read the file: {os.strerror(errno.ELOOP)}"
    assert entries == {
        name: Unreadable(tmp_path / name, reason, True) for name in ("loop1.png", "loop2.png")
    }


def _locked_tree(root):
    """Images in ``root``, ``root/a`` and ``root/locked``; return the last folder."""
    for folder in ("a", "locked"):
        (root / folder).mkdir()
        _image(root / folder / f"{folder[0]}.npy")
    _image(root / "z.npy")
    return root / "locked"


def _expect_locked_listed(root, locked):
    entries = _scan(root)
    assert entries.pop("locked") == Unreadable(
        locked, f"the folder cannot be read: {os.strerror(errno.EACCES)}", True
    )
    assert sorted(entries) == ["a.npy", "z.npy"]  # the scan went on
    assert all(isinstance(entry, ScanEntry) for entry in entries.values())


def test_a_folder_that_cannot_be_listed_is_listed_with_the_reason(refuse_listing, tmp_path):
    """Root (as these tests often run) lists any folder: os.scandir refuses it here.

    os.walk lists each folder with os.scandir and hands its OSError to ``onerror``, as
    for a folder without read permission; the next test does it for real, but not as root.
    """
    locked = _locked_tree(tmp_path)
    refuse_listing(locked)
    _expect_locked_listed(tmp_path, locked)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root lists any folder")
def test_a_folder_without_read_permission_is_listed_with_the_reason(tmp_path):
    locked = _locked_tree(tmp_path)
    locked.chmod(0)
    try:
        _expect_locked_listed(tmp_path, locked)
    finally:
        locked.chmod(0o755)


def test_iter_image_files_hands_the_folders_it_cannot_list_to_onerror(refuse_listing, tmp_path):
    locked = _locked_tree(tmp_path)
    refuse_listing(locked)
    errors = []
    names = [path.name for path in iter_image_files([tmp_path], onerror=errors.append)]
    assert sorted(names) == ["a.npy", "z.npy"]
    assert [error.filename for error in errors] == [str(locked)]


def test_a_top_folder_that_cannot_be_listed_is_listed_too(refuse_listing, tmp_path):
    _image(tmp_path / "a.npy")
    refuse_listing(tmp_path)
    assert _scan(tmp_path) == {
        tmp_path.name: Unreadable(
            tmp_path, f"the folder cannot be read: {os.strerror(errno.EACCES)}", True
        )
    }
