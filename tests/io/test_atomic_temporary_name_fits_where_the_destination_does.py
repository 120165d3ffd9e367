"""atomic_write's temporary file fits wherever its destination does.

Its name was the destination's plus 18 characters, so that on Windows, without long paths
(259 characters at most), a destination that fits could not be written.
"""

import os
import time

import pytest

from core.io import atomic
from core.io.atomic import atomic_write, check_writable_folder

MAX_PATH = 259
"""The longest path Windows opens without long paths enabled (260 with its NUL)."""


def _opened_under_max_path(monkeypatch) -> list[str]:
    """Make the module's ``open`` refuse a path longer than MAX_PATH, as Windows does."""
    opened: list[str] = []

    def windows_open(path, *args, **kwargs):
        opened.append(os.fspath(path))
        if len(os.fspath(path)) > MAX_PATH:
            raise FileNotFoundError(2, "The system cannot find the path specified", path)
        return open(path, *args, **kwargs)

    monkeypatch.setattr(atomic, "open", windows_open, raising=False)
    return opened


@pytest.mark.parametrize(
    "name", ["IM000001_simulated25pct_denoised.dcm", "a_denoised.png", "IM0001_d12.dcm"]
)
def test_a_destination_of_the_longest_path_is_written(tmp_path, monkeypatch, name):
    opened = _opened_under_max_path(monkeypatch)
    folder = tmp_path / ("x" * (MAX_PATH - len(str(tmp_path)) - len(name) - 2))
    folder.mkdir()
    destination = folder / name
    assert len(str(destination)) == MAX_PATH
    with atomic_write(destination) as file:
        file.write(b"complete")
    assert destination.read_bytes() == b"complete"
    assert len(opened) == 1 and len(opened[0]) <= len(str(destination))
    check_writable_folder(folder)  # its probe is named alike
    assert os.listdir(folder) == [name]


def test_a_killed_writes_temporary_of_either_naming_is_swept(tmp_path, monkeypatch):
    old = time.time() - 2 * atomic.STALE_AFTER_S
    with atomic_write(tmp_path / "first.dcm") as file:
        file.write(b"1")
        (written,) = [n for n in os.listdir(tmp_path) if n != "first.dcm"]
    stale = [tmp_path / written, tmp_path / ".second.dcm.0123456789ab.tmp"]  # now, and before
    for path in stale:
        path.write_bytes(b"partial")
        os.utime(path, (old, old))
    monkeypatch.setattr(atomic, "_swept", set())  # a new run
    with atomic_write(tmp_path / "second.dcm") as file:
        file.write(b"2")
    assert sorted(os.listdir(tmp_path)) == ["first.dcm", "second.dcm"]


def test_the_temporary_name_is_14_characters_and_no_users_hidden_file_is_taken_for_one(
    tmp_path, monkeypatch
):
    name = atomic._temporary_name()
    assert atomic._TEMPORARY_NAME.fullmatch(name) and len(name) == 14
    old = time.time() - 2 * atomic.STALE_AFTER_S
    users = [".scan.20261127.tmp", ".20261127.tmp", ".~lock.a.odt#", ".~12345678.tmp"]
    for user in users:
        (tmp_path / user).write_bytes(b"the user's")
        os.utime(tmp_path / user, (old, old))
    monkeypatch.setattr(atomic, "_swept", set())
    with atomic_write(tmp_path / "out.dcm") as file:
        file.write(b"x")
    assert sorted(os.listdir(tmp_path)) == sorted([*users, "out.dcm"])
