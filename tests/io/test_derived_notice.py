"""Every DICOM written says "Not for diagnostic use" where viewers show it: in its series
description, its derivation description and an overlay on the image."""

import numpy as np
import pydicom
import pytest

from core.io import read_image, write_derived_dicom
from core.io.dicom_write import LO_MAX, OPERATION_MAX, ST_MAX, new_dataset
from core.io.notice import DISCLAIMER, notice_bitmap

PREFIX = f"{DISCLAIMER}: "


@pytest.fixture
def chest(write_dx):
    """A 600 x 700 CR image: large enough to hold the notice's overlay."""
    stored = np.random.default_rng(0).integers(0, 4096, size=(600, 700), dtype=np.uint16)
    return write_dx(stored, SeriesDescription="Thorax p.a.", DerivationDescription="raw")


def derived(tmp_path, source, name="out.dcm", **options):
    out = write_derived_dicom(
        read_image(source), tmp_path / name, description="denoised", **options
    )
    return pydicom.dcmread(out)


def test_a_derived_image_starts_its_descriptions_with_the_notice(tmp_path, chest):
    ds = derived(tmp_path, chest)
    assert ds.SeriesDescription == f"{PREFIX}Thorax p.a. (denoised)"
    assert ds.DerivationDescription == f"{PREFIX}raw; denoised"


def test_deriving_again_says_the_notice_once(tmp_path, chest):
    derived(tmp_path, chest, "once.dcm", operation="simulated 10 % dose")
    again = derived(tmp_path, tmp_path / "once.dcm", "twice.dcm")
    assert again.SeriesDescription == f"{PREFIX}Thora... (simulated 10 % dose, denoised)"
    assert again.DerivationDescription == f"{PREFIX}raw; denoised; denoised"


def test_a_long_series_description_keeps_the_notice_within_64_characters(tmp_path, write_dx):
    stored = np.zeros((8, 8), dtype=np.uint16)
    source = write_dx(stored, SeriesDescription="Thorax posterior anterior standing, inspiration")
    ds = derived(tmp_path, source, operation="simulated 10 % dose")
    assert ds.SeriesDescription == f"{PREFIX}Thorax... (simulated 10 % dose)"
    longest = derived(tmp_path, source, "longest.dcm", operation="o" * OPERATION_MAX)
    assert len(longest.SeriesDescription) == LO_MAX
    assert longest.SeriesDescription.startswith(PREFIX)


def test_a_long_derivation_keeps_the_notice_within_1024_characters(tmp_path, write_dx):
    source = write_dx(np.zeros((8, 8), dtype=np.uint16), DerivationDescription="x" * 1024)
    ds = derived(tmp_path, source)
    assert len(ds.DerivationDescription) == ST_MAX
    assert ds.DerivationDescription.startswith(PREFIX + "...")
    assert ds.DerivationDescription.endswith("; denoised")


def test_a_derived_image_shows_the_notice_as_an_overlay(tmp_path, chest):
    ds = derived(tmp_path, chest)
    expected = notice_bitmap(600, 700)
    assert ds[0x6000, 0x0022].value == DISCLAIMER  # OverlayDescription
    assert ds[0x6000, 0x0040].value == "G"
    assert list(ds[0x6000, 0x0050].value) == [1, 1]
    overlay = ds.overlay_array(0x6000)
    np.testing.assert_array_equal(overlay, expected)
    assert overlay.sum() > 100  # the text's pixels


def test_the_overlay_takes_a_free_group_and_is_not_repeated(tmp_path, chest):
    source = pydicom.dcmread(chest)
    for tag in [tag for tag in source.keys() if tag.group == 0x6000]:
        del source[tag]  # new_dataset's notice: the source is not this program's here
    source.add_new(0x60000010, "US", 8)  # the source's own overlay in 6000
    source.add_new(0x60000011, "US", 8)
    source.add_new(0x60000040, "CS", "G")
    source.add_new(0x60000050, "SS", [1, 1])
    source.add_new(0x60000100, "US", 1)
    source.add_new(0x60000102, "US", 0)
    source.add_new(0x60003000, "OW", bytes(8))
    source.save_as(tmp_path / "with_overlay.dcm")
    once = derived(tmp_path, tmp_path / "with_overlay.dcm", "once.dcm")
    assert once[0x6002, 0x1500].value == "NOTICE"
    twice = derived(tmp_path, tmp_path / "once.dcm", "twice.dcm")
    assert (0x6004, 0x0010) not in twice  # the notice's overlay is there already


def test_an_image_too_small_for_the_text_has_no_overlay(tmp_path, write_dx):
    ds = derived(tmp_path, write_dx(np.zeros((8, 8), dtype=np.uint16)))
    assert (0x6000, 0x0010) not in ds
    assert ds.SeriesDescription.startswith(PREFIX)


def test_a_new_dicom_says_the_notice_too():
    ds = new_dataset(
        np.zeros((300, 400), dtype=np.uint16),
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id="",
        description="SYNTHETIC phantom",
        modality="OT",
        window=None,
    )
    assert ds.SeriesDescription == f"{PREFIX}SYNTHETIC phantom"
    assert ds.DerivationDescription == f"{PREFIX}SYNTHETIC phantom"
    np.testing.assert_array_equal(ds.overlay_array(0x6000), notice_bitmap(300, 400))
