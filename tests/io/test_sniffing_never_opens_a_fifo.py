"""The sniffing never opens what is not a regular file, and names a symbolic link loop.

Opening a FIFO for reading waits for a writer, forever if none comes: a folder holding
one hung the app's scan, and the app could not close. Each call runs in a thread, so a
regression fails the test (and the FIFO is then opened for writing to let it go).
"""

import errno
import os
import threading

import pytest

from core.errors import ImageReadError
from core.io import read_image
from core.io.dicom_read import is_dicomdir
from core.io.sniff import detect_format, is_image_candidate, is_regular_file

TIMEOUT_S = 10


def briefly(call, *args):
    """Return what `call` returns or raises; fail if it still runs after TIMEOUT_S."""
    outcome = []

    def run():
        try:
            outcome.append(call(*args))
        except Exception as error:  # noqa: BLE001 (handed to the test)
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(TIMEOUT_S)
    assert not thread.is_alive(), f"{call.__name__} still runs: it opened the FIFO"
    return outcome[0]


@pytest.mark.parametrize("name", ["scan.png", "1.2.826.0.1.3680043.8.498.101", "IM0001"])
def test_a_fifo_is_no_image_candidate(fifo, name):
    assert briefly(is_image_candidate, fifo(name)) is False


def test_a_fifo_named_dicomdir_is_no_dicomdir(fifo):
    assert briefly(is_dicomdir, fifo("DICOMDIR")) is False


def test_a_fifo_is_named_not_a_regular_file(fifo):
    error = briefly(read_image, fifo("scan.png"))
    assert isinstance(error, ImageReadError)
    assert error.reason == "not a regular file"
    assert briefly(is_regular_file, fifo("other")) is False


def test_a_symbolic_link_loop_is_named_for_what_it_is(tmp_path):
    first, second = tmp_path / "loop1.png", tmp_path / "loop2.png"
    first.symlink_to(second.name)
    second.symlink_to(first.name)
    with pytest.raises(ImageReadError) as info:
        detect_format(first)
    assert info.value.reason == f"cannot read the file: {os.strerror(errno.ELOOP)}"
    assert not is_image_candidate(first) and not is_regular_file(first)


def test_missing_files_are_still_not_found(tmp_path):
    (tmp_path / "file.png").write_bytes(b"")
    for path in (tmp_path / "absent.png", tmp_path / "file.png" / "under.png"):
        with pytest.raises(ImageReadError, match="file not found$"):
            detect_format(path)


def test_a_link_to_a_regular_file_is_one(tmp_path):
    target = tmp_path / "image.png"
    target.write_bytes(b"")
    (tmp_path / "link.png").symlink_to(target.name)
    assert is_regular_file(tmp_path / "link.png")
    assert is_image_candidate(tmp_path / "link.png")
    assert not is_regular_file(tmp_path)
