"""A failed write names the system's reason in one line, whoever re-raised the error."""

import errno
import os

import pytest
from pydicom.tag import Tag, tag_in_exception

from core.errors import ImageWriteError
from core.io.atomic import atomic_write

NO_SPACE = os.strerror(errno.ENOSPC)


def disk_full() -> OSError:
    return OSError(errno.ENOSPC, NO_SPACE)


def test_a_full_disk_under_pydicom_s_re_raise_gives_the_system_s_reason(tmp_path):
    path = tmp_path / "out.dcm"
    with pytest.raises(ImageWriteError) as raised, atomic_write(path) as file:
        file.write(b"DICM")
        with tag_in_exception(Tag(0x7FE0, 0x0010)):  # as pydicom writes the pixel data
            raise disk_full()
    assert "Traceback" in str(raised.value.__cause__)  # what pydicom's error says
    assert str(raised.value) == f"{path}: {NO_SPACE}"
    assert list(tmp_path.iterdir()) == []


def test_the_reason_is_found_behind_an_implicit_context(tmp_path):
    path = tmp_path / "out.png"
    with pytest.raises(ImageWriteError) as raised, atomic_write(path):
        try:
            raise disk_full()
        except OSError:
            raise RuntimeError("encoder failed\n  while writing chunk IDAT")  # noqa: B904
    assert str(raised.value) == f"{path}: {NO_SPACE}"


def test_without_a_system_reason_the_error_itself_is_one_line(tmp_path):
    path = tmp_path / "out.tif"
    with pytest.raises(ImageWriteError) as raised, atomic_write(path):
        raise OSError("65536 requested and\n20336 written")
    assert str(raised.value) == f"{path}: OSError: 65536 requested and 20336 written"
