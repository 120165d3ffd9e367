"""A folder or file asked for, whose parent may be listed but not searched, is named.

Python 3.11's ``Path.is_dir()`` raises ``PermissionError`` (EACCES) for such a path; the
scan raised with it, outside its handling of folders it cannot list, and the browser
stayed empty with no message.
"""

import errno
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from xraygui.catalog import ScanEntry, Unreadable, iter_image_files, scan_images

DENIED = os.strerror(errno.EACCES)


def _save(path):
    np.save(path, np.zeros((8, 8), np.float32))
    return path


@pytest.fixture
def unsearchable(tmp_path, monkeypatch):
    """``hidden/sub`` and ``hidden/y.npy``, which cannot be looked at (as root can)."""
    hidden = tmp_path / "hidden"
    (hidden / "sub").mkdir(parents=True)
    _save(hidden / "sub" / "a.npy")
    _save(hidden / "y.npy")
    real_stat = Path.stat

    def stat(path, **kwargs):
        if path.parent == hidden:
            raise PermissionError(errno.EACCES, DENIED, str(path))
        return real_stat(path, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    return hidden


def test_the_scan_names_each_path_it_cannot_look_at_and_goes_on(unsearchable, tmp_path):
    readable = _save(tmp_path / "ok.npy")
    paths = [unsearchable / "sub", unsearchable / "y.npy", readable]
    entries = list(scan_images(paths))
    assert entries[:2] == [  # what each is, os.stat still says here (Path.stat refuses)
        Unreadable(unsearchable / "sub", f"the folder cannot be read: {DENIED}", True),
        Unreadable(unsearchable / "y.npy", f"cannot read the file: {DENIED}", True),
    ]
    assert isinstance(entries[2], ScanEntry) and entries[2].path == readable


def test_iter_image_files_hands_such_a_path_to_onerror_or_passes_it_over(unsearchable, tmp_path):
    readable = _save(tmp_path / "ok.npy")
    errors = []
    paths = [unsearchable / "sub", readable]
    assert list(iter_image_files(paths, onerror=errors.append)) == [readable]
    assert [(Path(e.filename), e.errno) for e in errors] == [(unsearchable / "sub", errno.EACCES)]
    assert list(iter_image_files(paths)) == [readable]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may search any folder"
)
def test_a_real_folder_that_may_be_listed_not_searched(tmp_path):
    hidden = tmp_path / "hidden"
    (hidden / "sub").mkdir(parents=True)
    shutil.copy(_save(tmp_path / "y.npy"), hidden / "y.npy")
    hidden.chmod(0o444)
    try:
        entries = list(scan_images([hidden / "sub", hidden / "y.npy"]))
    finally:
        hidden.chmod(0o755)
    reason = f"cannot be looked at: {DENIED}"  # folder or file: not even that can be told
    assert entries == [
        Unreadable(hidden / "sub", reason, True),
        Unreadable(hidden / "y.npy", reason, True),
    ]
