"""An overlay embedded in unused bits of the pixel data is kept, as OverlayData.

In the retired encoding an overlay group has no OverlayData: OverlayBitsAllocated is
BitsAllocated and OverlayBitPosition an unused bit of each pixel data word. The
reader dropped those bits with the rest above BitsStored, yet kept the group, so a
derived image declared an overlay it did not hold. The bit plane now becomes the
group's OverlayData; a group without data whose overlay cannot be found so is left out,
with a warning naming the file. From big-endian pixel data, OverlayData is held in
big-endian words, as the header's other OW values are: a derived (little-endian) file's
writer swaps them all.
"""

import numpy as np
import pydicom
import pytest
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, RLELossless

from core.errors import XrayWarning
from core.io import read_image, write_image
from core.io.dicom_write import OVERLAY_LABEL

ROWS, COLS = 40, 56


def film(signed=False):
    values = np.arange(ROWS * COLS).reshape(ROWS, COLS) * 37 % 4096
    return (values - 2048).astype(np.int16) if signed else values.astype(np.uint16)


def plane(top, left):
    mask = np.zeros((ROWS, COLS), dtype=np.uint8)
    mask[top : top + 10, left : left + 20] = 1
    return mask


def declare_overlay(ds, group, bit, label, *, bits_allocated=16):
    for element, vr, value in [
        (0x0010, "US", ROWS),
        (0x0011, "US", COLS),
        (0x0040, "CS", "G"),
        (0x0050, "SS", [1, 1]),
        (0x0100, "US", bits_allocated),  # OverlayBitsAllocated
        (0x0102, "US", bit),  # OverlayBitPosition
        (0x1500, "LO", label),
    ]:
        ds.add_new(Tag(group, element), vr, value)


def source(write_dx, words, overlays, *, frames=1, **attributes):
    """Write 16-bit `words` (every frame) with overlay groups `{group: (bit, label)}`."""
    path = write_dx(film(), **attributes)
    ds = pydicom.dcmread(path)
    for tag in [tag for tag in ds.keys() if 0x6000 <= tag.group < 0x6020]:
        del ds[tag]  # the notice overlay of the test writer
    for group, (bit, label) in overlays.items():
        declare_overlay(ds, group, bit, label)
    frames_words = words if words.ndim == 3 else np.stack([words] * frames)
    if frames_words.shape[0] > 1:
        ds.NumberOfFrames = frames_words.shape[0]
        ds.add_new(Tag(0x6000, 0x0015), "IS", frames_words.shape[0])  # NumberOfFramesInOverlay
    order = ">" if attributes.get("syntax") == ExplicitVRBigEndian else "<"
    ds.PixelData = frames_words.astype(f"{order}u2").tobytes()
    ds.save_as(path)
    return path


def test_overlays_above_the_stored_bits_become_overlay_data(tmp_path, write_dx):
    first, second = plane(5, 5), plane(20, 30)
    words = film() | (first.astype(np.uint16) << 12) | (second.astype(np.uint16) << 15)
    path = source(write_dx, words, {0x6000: (12, "L marker"), 0x6002: (15, "ruler")})
    image = read_image(path)
    np.testing.assert_array_equal(image.pixels, film())  # the overlay bits left out
    for group, expected in [(0x6000, first), (0x6002, second)]:
        assert image.dataset[group, 0x0100].value == 1  # OverlayBitsAllocated
        assert image.dataset[group, 0x0102].value == 0  # OverlayBitPosition
        np.testing.assert_array_equal(image.dataset.overlay_array(group), expected)

    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    ds = pydicom.dcmread(out)
    np.testing.assert_array_equal(ds.pixel_array, film())
    np.testing.assert_array_equal(ds.overlay_array(0x6000), first)
    np.testing.assert_array_equal(ds.overlay_array(0x6002), second)
    assert ds[0x6000, 0x1500].value == "L marker"


@pytest.mark.parametrize("syntax", [ExplicitVRLittleEndian, ExplicitVRBigEndian])
def test_a_derived_file_holds_the_overlay_whatever_the_sources_byte_order(
    tmp_path, write_dx, syntax
):
    first, second = plane(5, 5), plane(20, 30)
    words = film() | (first.astype(np.uint16) << 12) | (second.astype(np.uint16) << 15)
    path = source(write_dx, words, {0x6000: (12, "L marker"), 0x6002: (15, "ruler")}, syntax=syntax)
    image = read_image(path)
    np.testing.assert_array_equal(image.pixels, film())
    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    ds = pydicom.dcmread(out)
    np.testing.assert_array_equal(ds.pixel_array, film())
    np.testing.assert_array_equal(ds.overlay_array(0x6000), first)
    np.testing.assert_array_equal(ds.overlay_array(0x6002), second)


def test_an_overlay_above_low_values_under_a_mislabelled_high_bit(tmp_path, write_dx):
    mask = plane(12, 3)
    words = film() | (mask.astype(np.uint16) << 15)  # values in bits 0..11, overlay in bit 15
    path = source(write_dx, words, {0x6000: (15, "marker")}, HighBit=15)
    with pytest.warns(XrayWarning, match="HighBit 15 with BitsStored 12 looks mislabelled"):
        image = read_image(path)
    np.testing.assert_array_equal(image.pixels, film())
    np.testing.assert_array_equal(image.dataset.overlay_array(0x6000), mask)
    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    np.testing.assert_array_equal(pydicom.dcmread(out).overlay_array(0x6000), mask)


def test_signed_values_keep_their_sign_beside_the_overlay(write_dx):
    mask = plane(5, 5)
    words = (film(signed=True).view(np.uint16) & 0x0FFF) | (mask.astype(np.uint16) << 12)
    path = source(write_dx, words, {0x6000: (12, "marker")}, PixelRepresentation=1)
    image = read_image(path)
    np.testing.assert_array_equal(image.pixels, film(signed=True))
    np.testing.assert_array_equal(image.dataset.overlay_array(0x6000), mask)


def test_an_overlay_below_left_aligned_values(write_dx):
    mask = plane(12, 3)
    words = (film() << 4) | mask.astype(np.uint16)  # values in bits 4..15, overlay in bit 0
    path = source(write_dx, words, {0x6000: (0, "marker")}, HighBit=15)
    with pytest.warns(XrayWarning, match="HighBit 15"):
        image = read_image(path)
    np.testing.assert_array_equal(image.pixels, film())
    np.testing.assert_array_equal(image.dataset.overlay_array(0x6000), mask)


def test_a_frame_of_a_multi_frame_file_gives_its_own_overlay(write_dx):
    masks = [plane(5 * i, 4 * i) for i in range(3)]
    words = np.stack([film() | (mask.astype(np.uint16) << 13) for mask in masks])
    path = source(write_dx, words, {0x6000: (13, "marker")})
    image = read_image(path, frame=1)
    np.testing.assert_array_equal(image.pixels, film())
    assert Tag(0x6000, 0x0015) not in image.dataset  # one frame, this one's
    np.testing.assert_array_equal(image.dataset.overlay_array(0x6000), masks[1])


def overlay_labels(ds):
    return [ds[group, 0x1500].value for group in range(0x6000, 0x6020, 2) if (group, 0x1500) in ds]


def test_an_overlay_in_the_stored_bits_is_left_out_with_a_warning(tmp_path, write_dx):
    path = source(write_dx, film(), {0x6000: (11, "marker")})  # bit 11 holds the values
    with pytest.warns(XrayWarning, match="overlay group 6000") as record:
        image = read_image(path)
    assert str(path) in str(record[0].message)
    np.testing.assert_array_equal(image.pixels, film())
    assert not [tag for tag in image.dataset.keys() if tag.group == 0x6000]
    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    assert overlay_labels(pydicom.dcmread(out)) in ([], [OVERLAY_LABEL])


def test_an_overlay_declared_without_data_in_compressed_data_is_left_out(write_dx):
    path = source(write_dx, film(), {0x6002: (12, "marker")})
    ds = pydicom.dcmread(path)
    ds.compress(RLELossless)
    ds.save_as(path)
    with pytest.warns(XrayWarning, match="overlay group 6002"):
        image = read_image(path)
    np.testing.assert_array_equal(image.pixels, film())
    assert not [tag for tag in image.dataset.keys() if tag.group == 0x6002]
