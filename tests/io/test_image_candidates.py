"""Which files a folder scan takes as images: image suffixes, or the DICOM preamble."""

from pathlib import Path

import numpy as np
import pytest

from core.io import write_new_dicom
from core.io.sniff import is_image_candidate
from core.noise import phantom_image

UID_NAME = "1.2.826.0.1.3680043.8.498.101"


@pytest.fixture(scope="module")
def uid_dicom(tmp_path_factory) -> Path:
    """A small DICOM named by its UID, as a storage SCP writes it (no real suffix)."""
    path = tmp_path_factory.mktemp("uid") / UID_NAME
    stored = phantom_image((32, 32), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    return write_new_dicom(stored, path, bits_stored=12)


def test_a_dicom_named_by_its_uid_is_a_candidate(uid_dicom, tmp_path):
    assert uid_dicom.suffix == ".101"  # what every scanner took for a (foreign) suffix
    assert is_image_candidate(uid_dicom)
    bare = tmp_path / "IM0001"
    bare.write_bytes(uid_dicom.read_bytes())
    assert is_image_candidate(bare)


def test_an_image_suffix_counts_in_any_case_without_reading(tmp_path):
    for name in ("a.PNG", "b.Dcm", "c.tiff", "d.JPEG", "e.npy"):
        (tmp_path / name).write_bytes(b"")  # empty: the reader will say why, not the scan
        assert is_image_candidate(tmp_path / name)


def test_other_files_are_not_candidates(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "notes.txt").write_text("not an image\n" * 20)
    (tmp_path / "data.101").write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    (tmp_path / "README").write_text("hello")
    (tmp_path / "short.101").write_bytes(b"\0" * 10)
    for path in tmp_path.iterdir():
        assert not is_image_candidate(path), path.name
    assert not is_image_candidate(tmp_path / "absent.101")


def test_a_dicomdir_is_not_a_candidate(cd):
    assert (cd / "DICOMDIR").read_bytes()[128:132] == b"DICM"
    assert not is_image_candidate(cd / "DICOMDIR")
