"""Fixtures for the I/O tests: pydicom's bundled files (never downloaded) and small images."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom.data
import pytest
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian

from core.io.dicom_write import new_dataset

PYDICOM_DATA = Path(pydicom.data.__file__).parent


def _shipped(name: str) -> Path:
    for folder in ("test_files", "charset_files"):
        path = PYDICOM_DATA / folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"pydicom {pydicom.__version__} does not ship {name}")


@pytest.fixture
def shipped() -> Callable[[str], Path]:
    """Path of a test file shipped inside the pydicom package (never one it downloads)."""
    return _shipped


@pytest.fixture
def copy_of(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a pydicom test file into ``tmp_path`` (writes may then go next to it)."""

    def copy(name: str) -> Path:
        return Path(shutil.copy(_shipped(name), tmp_path / name))

    return copy


@pytest.fixture
def phantom16() -> np.ndarray:
    """A 12-bit-range uint16 test image with structure in both directions."""
    rows, cols = np.mgrid[0:48, 0:64]
    return ((rows * 61 + cols * 17) % 4096).astype(np.uint16)


@pytest.fixture
def write_dx(tmp_path: Path) -> Callable[..., Path]:
    """Write stored values as a small CR DICOM with extra attributes; return its path.

    ``syntax`` picks the transfer syntax (uncompressed); other keywords are set as
    attributes by keyword.
    """

    def write(
        stored: np.ndarray,
        *,
        name: str = "dx.dcm",
        bits_stored: int = 12,
        syntax: str = ExplicitVRLittleEndian,
        **attributes: object,
    ) -> Path:
        ds = new_dataset(
            stored,
            photometric="MONOCHROME2",
            bits_stored=bits_stored,
            pixel_spacing=None,
            patient_name="",
            patient_id="SYN",
            description="synthetic",
            modality="CR",
            window=None,
        )
        for keyword, value in attributes.items():
            setattr(ds, keyword, value)
        ds.file_meta.TransferSyntaxUID = syntax
        if syntax == ExplicitVRBigEndian:
            ds.PixelData = stored.astype(stored.dtype.newbyteorder(">")).tobytes()
        path = tmp_path / name
        ds.save_as(path, enforce_file_format=True)
        return path

    return write


@pytest.fixture
def cd(tmp_path: Path, write_file_set) -> Path:
    """A File-set as on a patient CD: one DX image and the DICOMDIR that indexes it."""
    return write_file_set(tmp_path / "cd")
