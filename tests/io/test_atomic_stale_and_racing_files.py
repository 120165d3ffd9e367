"""atomic_write removes the temporaries of killed writes, and never replaces a file that
another writer created during a write without overwrite."""

import os
import time

import pytest

from core.errors import ImageWriteError
from core.io import atomic
from core.io.atomic import DestinationExistsError, atomic_write

OLD = time.time() - 2 * atomic.STALE_AFTER_S


def _file(path, age=None, data=b"partial"):
    path.write_bytes(data)
    if age is not None:
        os.utime(path, (age, age))
    return path


def test_a_killed_writes_old_temporary_is_removed(tmp_path):
    stale = _file(tmp_path / ".out.dcm.0123456789ab.tmp", OLD)
    with atomic_write(tmp_path / "out.dcm") as file:
        file.write(b"complete")
    assert not stale.exists()
    assert sorted(os.listdir(tmp_path)) == ["out.dcm"]


def test_other_files_and_recent_temporaries_are_kept(tmp_path):
    kept = [
        _file(tmp_path / ".out.dcm.0123456789ab.tmp"),  # another writer's, at work now
        _file(tmp_path / ".out.dcm.0123456789AB.tmp", OLD),  # not this program's name
        _file(tmp_path / ".out.dcm.tmp", OLD),
        _file(tmp_path / "out.dcm.0123456789ab.tmp", OLD),
        _file(tmp_path / "notes.txt", OLD),
    ]
    (tmp_path / ".dir.0123456789ab.tmp").mkdir()
    other = tmp_path / "other"
    other.mkdir()
    elsewhere = _file(other / ".x.dcm.0123456789ab.tmp", OLD)  # not the destination's folder
    with atomic_write(tmp_path / "a.dcm") as file:
        file.write(b"complete")
    assert all(path.exists() for path in kept)
    assert (tmp_path / ".dir.0123456789ab.tmp").is_dir() and elsewhere.exists()


def test_a_file_created_during_the_write_is_kept(tmp_path):
    destination = tmp_path / "report.csv"
    with pytest.raises(DestinationExistsError, match=r"report.csv: file exists"):
        with atomic_write(destination) as file:
            file.write(b"ours")
            destination.write_bytes(b"the other writer's")  # it checked too, and wrote first
    assert destination.read_bytes() == b"the other writer's"
    assert os.listdir(tmp_path) == ["report.csv"]  # our temporary is gone


def test_without_hard_links_the_write_falls_back_to_a_rename(tmp_path, monkeypatch):
    def no_links(source, target):
        raise PermissionError(1, "Operation not permitted")  # as on FAT

    monkeypatch.setattr(os, "link", no_links)
    with atomic_write(tmp_path / "out.dcm") as file:
        file.write(b"complete")
    assert os.listdir(tmp_path) == ["out.dcm"]
    assert (tmp_path / "out.dcm").read_bytes() == b"complete"


def test_an_existing_file_is_still_refused_at_the_start(tmp_path):
    _file(tmp_path / "out.dcm")
    with pytest.raises(ImageWriteError, match="file exists"):
        with atomic_write(tmp_path / "out.dcm"):
            pytest.fail("the write should not start")
