"""Stored values left-aligned in their words (HighBit 15, BitsStored 12) are read, not noise.

Legacy CR and DX writers put 12-bit values in the high bits of the 16-bit word. The
reader never looked at HighBit; pydicom kept the low 12 bits, so the image became
noise without a word. Such uncompressed data are now read from the high bits, with a
warning naming the file, and the header a derived image copies says HighBit 11; any
other HighBit that is not BitsStored - 1 is refused.

The header is not always right: values clearly in the low 12 bits under HighBit 15 (the
low 4 bits of the words in use, the top 4 zero or, signed, zero or the sign repeated) are
a mislabelled header, read from the low bits with a warning; any other frame trusts the
header, stray bits in its low unused bits ignored (the standard has unused bits ignored),
and none is refused. The JPEG, JPEG-LS and JPEG 2000 codecs decode BitsStored-bit values,
so their HighBit is ignored, with a warning; RLE stores whole words, which keep values
stored in the high bits there, so its HighBit 15 is refused, as it was before.
"""

import os

import numpy as np
import pydicom
import pytest
from pydicom.uid import (
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    RLELossless,
)

from core.errors import ImageReadError, XrayWarning
from core.io import dicom_read, read_image, write_image


def film(signed=False, rows=40, cols=56):
    """12-bit stored values spanning the whole range (their sign bit set where signed)."""
    values = np.arange(rows * cols).reshape(rows, cols) * 37 % 4096
    if signed:
        return (values - 2048).astype(np.int16)
    return values.astype(np.uint16)


def left_aligned(write_dx, truth, *, syntax=ExplicitVRLittleEndian, high_bit=15, frames=1):
    """Write `truth` (every frame) as stored values in the high bits of 16-bit words."""
    return with_words(write_dx, truth, np.stack([truth] * frames) << 4, syntax, high_bit)


def with_words(write_dx, truth, words, syntax=ExplicitVRLittleEndian, high_bit=15):
    """Write 16-bit `words` (frames along the first axis, if 3-D) under HighBit `high_bit`."""
    path = write_dx(truth, syntax=syntax)
    ds = pydicom.dcmread(path)
    ds.HighBit = high_bit
    frames = words.shape[0] if words.ndim == 3 else 1
    order = ">" if syntax == ExplicitVRBigEndian else "<"
    ds.PixelData = words.astype(words.dtype.newbyteorder(order)).tobytes()
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.save_as(path)
    return path


@pytest.mark.parametrize(
    "syntax", [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian]
)
@pytest.mark.parametrize("signed", [False, True])
def test_left_aligned_values_are_read_with_a_warning_naming_the_file(write_dx, syntax, signed):
    truth = film(signed)
    path = left_aligned(write_dx, truth, syntax=syntax)
    with pytest.warns(XrayWarning, match="HighBit 15 with BitsStored 12") as record:
        image = read_image(path)
    assert len(record) == 1
    assert str(path) in str(record[0].message)
    np.testing.assert_array_equal(image.pixels, truth)
    assert image.mapping.bits_stored == 12
    assert image.mapping.signed == signed
    assert image.dataset.HighBit == 11  # what was read, for a derived image
    assert image.metadata["HighBit"] == 11


def test_a_frame_of_a_left_aligned_multi_frame_file(write_dx):
    truth = film()
    path = left_aligned(write_dx, truth, frames=3)
    with pytest.warns(XrayWarning, match="HighBit 15 with BitsStored 12: stored") as record:
        image = read_image(path, frame=2)
    assert str(path) in str(record[0].message)
    np.testing.assert_array_equal(image.pixels, truth)


@pytest.mark.parametrize("frame", [0, 1])
def test_every_frame_of_a_mislabelled_multi_frame_file_is_read_alike(write_dx, frame):
    truth = np.stack([film(), film() & 0xFF0])  # the second frame's low 4 bits all zero
    path = with_words(write_dx, truth[0], truth)  # the values in the low bits, HighBit 15
    with pytest.warns(XrayWarning, match="the top 4 bits of the words of every frame are zero"):
        image = read_image(path, frame=frame)
    np.testing.assert_array_equal(image.pixels, truth[frame])  # not 16 times too low


def test_one_left_aligned_frame_makes_the_file_left_aligned(write_dx):
    truth = np.stack([film() & 0xFF, film()])  # the first frame's values all under 256 ...
    path = with_words(write_dx, truth[0], truth << 4)  # ... so its top 4 bits are zero
    with pytest.warns(XrayWarning, match="read from the high bits"):
        image = read_image(path, frame=0)
    np.testing.assert_array_equal(image.pixels, truth[0])


def test_a_derived_image_of_a_left_aligned_source_holds_the_values_right_aligned(
    tmp_path, write_dx
):
    truth = film()
    path = left_aligned(write_dx, truth)
    with pytest.warns(XrayWarning, match="HighBit 15"):
        image = read_image(path)
    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    ds = pydicom.dcmread(out)
    assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit) == (16, 12, 11)
    np.testing.assert_array_equal(ds.pixel_array, truth)
    np.testing.assert_array_equal(read_image(out).pixels, truth)


def test_another_high_bit_is_refused_naming_it(write_dx):
    path = left_aligned(write_dx, film(), high_bit=13)
    with pytest.raises(ImageReadError) as refused:
        read_image(path)
    assert refused.value.reason.startswith("unsupported HighBit 13 with BitsStored 12")
    assert str(path) in str(refused.value)


@pytest.mark.parametrize("high_bit", [15, 13])
def test_jpeg_2000_data_are_read_as_decoded_whatever_the_high_bit(tmp_path, write_dx, high_bit):
    truth = film()
    path = write_dx(truth)
    ds = pydicom.dcmread(path)
    ds.compress(JPEG2000Lossless, encoding_plugin="pylibjpeg")  # decoded to BitsStored bits
    ds.HighBit = high_bit
    ds.save_as(path)
    with pytest.warns(
        XrayWarning, match=f"HighBit {high_bit} with BitsStored 12 ignored"
    ) as record:
        image = read_image(path)
    assert len(record) == 1
    assert str(path) in str(record[0].message)
    np.testing.assert_array_equal(image.pixels, truth)
    assert image.dataset.HighBit == 11
    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    np.testing.assert_array_equal(pydicom.dcmread(out).pixel_array, truth)


def rle_words(write_dx, words, high_bit):
    """Write 16-bit `words` RLE-compressed under BitsStored 12 and HighBit `high_bit`."""
    path = write_dx(film())
    ds = pydicom.dcmread(path)
    ds.BitsStored = 16  # so that the encoder keeps every bit of the words
    ds.compress(RLELossless, words)
    ds.BitsStored, ds.HighBit = 12, high_bit
    ds.save_as(path)
    return path


def test_left_aligned_rle_data_are_read_from_the_high_bits(tmp_path, write_dx):
    truth = film()
    path = rle_words(write_dx, truth << 4, 15)  # RLE keeps whole words: the values stay high
    with pytest.warns(XrayWarning, match="HighBit 15 with BitsStored 12: stored") as record:
        image = read_image(path)
    assert len(record) == 1 and str(path) in str(record[0].message)
    np.testing.assert_array_equal(image.pixels, truth)
    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    np.testing.assert_array_equal(pydicom.dcmread(out).pixel_array, truth)


def test_rle_data_under_another_high_bit_are_refused_naming_the_file(write_dx):
    path = rle_words(write_dx, film() << 2, 13)
    with pytest.raises(ImageReadError) as refused:
        read_image(path)
    assert refused.value.reason == (
        "unsupported HighBit 13 with BitsStored 12 (only 11, or 15 in uncompressed or RLE "
        "pixel data)"
    )
    assert str(path) in str(refused.value)


@pytest.mark.parametrize("syntax", [ExplicitVRLittleEndian, ExplicitVRBigEndian])
@pytest.mark.parametrize("signed", [False, True])
def test_low_values_under_high_bit_15_are_a_mislabelled_header(write_dx, syntax, signed):
    truth = film(signed)  # signed values sign-extended to the top bits, as pydicom writes them
    path = with_words(write_dx, truth, truth.view(np.uint16), syntax)
    with pytest.warns(
        XrayWarning, match="HighBit 15 with BitsStored 12 looks mislabelled"
    ) as record:
        image = read_image(path)
    assert len(record) == 1
    assert str(path) in str(record[0].message)
    np.testing.assert_array_equal(image.pixels, truth)
    assert image.dataset.HighBit == 11


def test_one_word_with_low_bits_in_use_makes_the_frame_low_aligned(write_dx):
    truth = film() & 0xFF0  # every low 4 bits zero, and the top 4 too ...
    truth[-1, -1] = 4095  # ... but the last word's
    path = with_words(write_dx, truth, truth)
    with pytest.warns(XrayWarning, match="looks mislabelled"):
        image = read_image(path)
    np.testing.assert_array_equal(image.pixels, truth)


@pytest.mark.parametrize("signed", [False, True])
def test_stray_low_bits_of_left_aligned_values_are_ignored(write_dx, signed):
    truth = film(signed)
    words = truth.view(np.uint16) << 4
    words[::10, ::10] |= 1  # 1 % of the words with a bit the header calls unused
    path = with_words(write_dx, truth, words)
    with pytest.warns(XrayWarning, match="read from the high bits") as record:
        image = read_image(path)
    assert len(record) == 1
    assert "stray bits in the low unused bits ignored" in str(record[0].message)
    np.testing.assert_array_equal(image.pixels, truth)
    assert image.dataset.HighBit == 11


@pytest.mark.parametrize("signed", [False, True])
def test_words_neither_left_aligned_nor_clearly_low_trust_the_header(write_dx, signed):
    truth = film(signed)
    words = truth.view(np.uint16).copy()
    words[3, 4] ^= 0x2000  # a top bit that is neither zero nor the sign, beside low bits in use
    path = with_words(write_dx, truth, words)
    with pytest.warns(XrayWarning, match="read from the high bits"):
        image = read_image(path)  # not refused
    high = (words.view(np.int16) if signed else words) >> 4
    np.testing.assert_array_equal(image.pixels, high)


@pytest.mark.parametrize("mixed", [False, True])
def test_signed_low_values_with_zero_top_bits_are_sign_extended(write_dx, mixed):
    truth = film(signed=True)  # half of them negative
    words = truth.view(np.uint16) & 0x0FFF  # 12-bit two's complement, the top 4 bits zero
    if mixed:
        words[::2] = truth[::2].view(np.uint16)  # these words sign-extended, the others not
    path = with_words(write_dx, truth, words)
    with pytest.warns(XrayWarning, match="looks mislabelled") as record:
        image = read_image(path)
    assert len(record) == 1
    np.testing.assert_array_equal(image.pixels, truth)
    assert image.dataset.HighBit == 11


def test_a_multi_frame_files_decision_is_made_once_not_once_a_frame(write_dx, monkeypatch):
    truth = np.stack([film()] * 6)  # the values in the low bits: every frame is looked at
    path = with_words(write_dx, truth[0], truth)
    decoded = []
    decode = dicom_read._decode_frame

    def counting(path, ds, syntax, frame, n_frames, **options):
        decoded.append(frame)
        return decode(path, ds, syntax, frame, n_frames, **options)

    monkeypatch.setattr(dicom_read, "_decode_frame", counting)
    for frame in range(6):
        with pytest.warns(XrayWarning, match="looks mislabelled"):
            np.testing.assert_array_equal(read_image(path, frame=frame).pixels, truth[frame])
    assert len(decoded) == 6 + 5  # the first read looks at all six, each later one at its own
    decoded.clear()
    words = truth.copy()
    words[4] <<= 4  # rewritten: one frame left-aligned, so the file is
    with_words(write_dx, truth[0], words)
    with pytest.warns(XrayWarning, match="read from the high bits"):
        image = read_image(path, frame=0)
    np.testing.assert_array_equal(image.pixels, truth[0] >> 4)
    assert len(decoded) > 1  # decided again


@pytest.mark.parametrize("same_key", [False, True])
def test_a_file_replaced_with_the_same_size_and_time_is_decided_again(
    write_dx, monkeypatch, same_key
):
    if same_key:  # a key that misses the change: the frame's own bits must still decide
        monkeypatch.setattr(dicom_read, "_file_key", lambda *args: ("one key for any file",))
    truth = np.stack([film()] * 3)
    path = with_words(write_dx, truth[0], truth)  # the values in the low bits
    with pytest.warns(XrayWarning, match="looks mislabelled"):
        read_image(path, frame=0)
    status = path.stat()
    ds = pydicom.dcmread(path)
    ds.PixelData = (truth << 4).astype("<u2").tobytes()  # corrected: left-aligned, same header
    ds.save_as(path)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))  # as cp -p copies it
    assert path.stat().st_size == status.st_size
    with pytest.warns(XrayWarning, match="read from the high bits"):
        np.testing.assert_array_equal(read_image(path, frame=1).pixels, truth[1])
