"""A TIFF (or .npy) write that fails short on a full disk says so, in one line."""

import shutil
from collections import namedtuple

import numpy as np
import pytest
import tifffile

from core.errors import ImageWriteError
from core.image import StoredMapping, Window, XrayImage
from core.io import write_image

Usage = namedtuple("Usage", "total used free")
SHORT_WRITE = "65536 requested and 20336 written"  # numpy's tofile: no errno, no strerror


def image():
    pixels = (np.arange(64 * 64).reshape(64, 64) % 4096).astype(np.float32)
    return XrayImage(pixels, StoredMapping(bits_stored=12), Window(2048, 4096))


@pytest.fixture
def short_write(monkeypatch):
    def fail(*args, **kwargs):
        raise OSError(SHORT_WRITE)

    monkeypatch.setattr(tifffile, "imwrite", fail)
    monkeypatch.setattr(np, "save", fail)


def free_space(monkeypatch, free):
    monkeypatch.setattr(shutil, "disk_usage", lambda folder: Usage(10**9, 10**9 - free, free))


@pytest.mark.parametrize(("suffix", "needed"), [(".tif", 64 * 64 * 2), (".npy", 64 * 64 * 4)])
def test_a_short_write_on_a_full_disk_says_no_space(
    tmp_path, monkeypatch, short_write, suffix, needed
):
    free_space(monkeypatch, 1000)
    path = tmp_path / f"out{suffix}"
    with pytest.raises(ImageWriteError) as raised:
        write_image(image(), path, description="test")
    assert str(raised.value) == (
        f"{path}: No space left on device (1000 bytes free, {needed} needed)"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_short_write_with_room_left_keeps_its_message(tmp_path, monkeypatch, short_write):
    free_space(monkeypatch, 10**8)
    path = tmp_path / "out.tif"
    with pytest.raises(ImageWriteError) as raised:
        write_image(image(), path, description="test")
    assert SHORT_WRITE in str(raised.value)
    assert "No space" not in str(raised.value)
