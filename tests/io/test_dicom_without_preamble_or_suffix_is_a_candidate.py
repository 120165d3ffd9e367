"""A folder scan takes a DICOM without preamble or suffix, as ``info`` reads it, and says
why it leaves any other file out, each in its own words."""

from pathlib import Path

import numpy as np
import pydicom
import pytest

from core.io import read_image, write_new_dicom
from core.io.sniff import detect_format, is_image_candidate, why_not_an_image
from core.noise import phantom_image


@pytest.fixture(scope="module")
def preambleless(tmp_path_factory) -> Path:
    """A small DICOM written without preamble, ``DICM`` or file meta, as old PACS wrote them."""
    folder = tmp_path_factory.mktemp("oldpacs")
    stored = phantom_image((16, 16), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    ds = pydicom.dcmread(write_new_dicom(stored, folder / "a.dcm", bits_stored=12))
    del ds.file_meta
    ds.preamble = None
    ds.save_as(folder / "IM_0001", implicit_vr=True, little_endian=True, enforce_file_format=False)
    assert (folder / "IM_0001").read_bytes()[128:132] != b"DICM"
    return folder / "IM_0001"


def test_a_dicom_without_preamble_or_suffix_is_a_candidate(preambleless):
    assert detect_format(preambleless) == "dicom"  # as `xray-denoise info` reads it
    assert read_image(preambleless).pixels.shape == (16, 16)
    assert is_image_candidate(preambleless)
    assert why_not_an_image(preambleless) is None


def test_so_is_one_named_by_its_uid(preambleless, tmp_path):
    uid_named = tmp_path / "1.2.826.0.1.3680043.8.498.101"
    uid_named.write_bytes(preambleless.read_bytes())
    assert is_image_candidate(uid_named)


def test_files_not_taken_are_each_given_their_own_reason(tmp_path, cd):
    rng = np.random.default_rng(0)
    (tmp_path / "notes.txt").write_text("not an image\n")
    (tmp_path / "README").write_text("hello")
    (tmp_path / "data.101").write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    assert why_not_an_image(cd / "DICOMDIR") == (
        "a DICOMDIR (the index of a DICOM file-set), not an image"
    )
    assert why_not_an_image(tmp_path / "notes.txt") == (
        "a .txt file, not an image (no image suffix, no DICOM preamble)"
    )
    for name in ("README", "data.101"):  # probed as DICOM without preamble: not one
        assert why_not_an_image(tmp_path / name) == (
            "no image suffix, and not DICOM (no preamble, no image attributes)"
        )
    assert why_not_an_image(tmp_path) == "not a regular file"


def test_a_file_that_does_not_begin_as_a_data_set_is_not_parsed(tmp_path, monkeypatch):
    # pydicom reads a large file of zeros to its end (0.4 s a MB): a scan of a folder
    # holding one stalled for minutes. Such a file is judged by its first bytes.
    import core.io.sniff as sniff

    parsed = []
    monkeypatch.setattr(sniff, "_looks_like_dicom", lambda path: parsed.append(path) or False)
    zeros = tmp_path / "1.2.840.8"
    zeros.write_bytes(b"\0" * 4096)
    assert sniff.why_not_an_image(zeros) == (
        "no image suffix, and not DICOM (no preamble, no image attributes)"
    )
    assert parsed == []
