"""A PNG or TIFF the app exports records its source file and frame, as the CLI's do."""

import warnings

import numpy as np
import pydicom
import pytest
import tifffile

from core.errors import XrayWarning
from core.io.source_record import made_from, raster_description, source_record
from core.noise import LowDoseSettings
from core.resources import file_sha256

pytestmark = pytest.mark.gui


@pytest.fixture
def stack(tmp_path):
    """A three-page 12-bit TIFF: its frames are told apart by the record."""
    path = tmp_path / "stack.tif"
    pages = np.random.default_rng(0).integers(0, 4096, (3, 48, 64)).astype(np.uint16)
    with tifffile.TiffWriter(path) as writer:
        for page in pages:
            writer.write(page, photometric="minisblack")
    return path


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_an_export_ends_its_denoising_text_with_the_source_record(
    window, denoise_quickly, settle, stack, tmp_path, suffix
):
    assert window.open_file(stack, frame=1)
    settle(window)
    denoise_quickly(window)
    written = window.export_image(tmp_path / f"out{suffix}")
    text = raster_description(written)
    record = source_record(file_sha256(stack), 1)
    assert f"; {record}. Not for diagnostic use" in text  # before the notice, as the CLI's
    assert text.index("denoised by") < text.index(record)
    # --skip-existing's reader finds it made from this frame of this file, and no other.
    assert made_from(written, stack, 1, lambda: file_sha256(stack)) == ""
    assert made_from(written, stack, 0, lambda: file_sha256(stack)).startswith("exists, made")


def test_a_denoised_simulation_records_the_file_it_was_simulated_from(
    window, denoise_quickly, settle, small_dicom, tmp_path
):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=0))
    settle(window)
    denoise_quickly(window)
    text = raster_description(window.export_image(tmp_path / "out.png"))
    record = source_record(file_sha256(small_dicom), 0)
    assert text.index("simulated 25 % dose") < text.index("then denoised by") < text.index(record)
    # A DICOM references its source in SourceImageSequence: its description has no record.
    dicom = pydicom.dcmread(window.export_image(tmp_path / "out.dcm"))
    assert "source sha256" not in dicom.DerivationDescription


def test_a_source_gone_since_it_was_opened_is_recorded_as_it_was_read(
    window, denoise_quickly, settle, stack, tmp_path
):
    assert window.open_file(stack)
    settle(window)
    denoise_quickly(window)
    read = file_sha256(stack)
    stack.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error", XrayWarning)
        written = window.export_image(tmp_path / "out.png")
    assert f"; {source_record(read, 0)}. Not for diagnostic use" in raster_description(written)
