"""``read_image`` keeps the SHA-256 of the bytes it decoded with the image.

An export, a report or ``xray-denoise denoise`` records the source by that digest, not by
the file as it is when they write: a file replaced since it was read is not taken for the
one that was denoised.
"""

import hashlib

import numpy as np
import pytest
import tifffile
from PIL import Image

import core.io
from core.errors import ImageReadError
from core.io import read_image


def _png(path, seed):
    pixels = np.random.default_rng(seed).integers(0, 65535, (32, 48)).astype(np.uint16)
    Image.fromarray(pixels).save(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_image_keeps_the_digest_of_the_bytes_read(tmp_path):
    path = tmp_path / "in.png"
    read = _png(path, 0)
    image = read_image(path)
    replaced = _png(path, 1)  # another image under the same name
    assert replaced != read
    assert image.source_sha256 == read
    # Images derived from it (a simulation, a denoised result) name the same source.
    assert image.with_pixels(image.pixels + 1).source_sha256 == read
    assert read_image(path).source_sha256 == replaced


def test_each_frame_of_a_file_carries_its_digest(tmp_path):
    path = tmp_path / "pages.tif"
    pages = np.random.default_rng(2).integers(0, 4096, (3, 16, 16)).astype(np.uint16)
    tifffile.imwrite(path, pages, photometric="minisblack")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert [read_image(path, frame=k).source_sha256 for k in range(3)] == [digest] * 3


def test_a_file_rewritten_in_place_is_hashed_again(tmp_path):
    path = tmp_path / "in.npy"
    np.save(path, np.zeros((16, 16), np.float32))
    read_image(path)  # its digest kept for the next frame's read
    with path.open("r+b") as file:  # the same file, its size kept: only the values change
        file.seek(-4, 2)
        file.write(np.float32(1).tobytes())
    rewritten = hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_image(path).source_sha256 == rewritten


def test_a_file_replaced_while_it_is_decoded_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "in.png"
    _png(path, 0)
    other = tmp_path / "other.png"
    _png(other, 1)
    decode = core.io._READERS["png"]

    def replaced_meanwhile(file, frame):
        other.replace(path)  # the decoder opens the new file by its name
        return decode(file, frame)

    monkeypatch.setitem(core.io._READERS, "png", replaced_meanwhile)
    with pytest.raises(ImageReadError, match="changed while it was read"):
        read_image(path)
