"""16-bit colour PNGs keep their 16 bits, unscaled sBIT data stay unscaled, and files are
read upright as their EXIF or TIFF Orientation says.

Pillow opens a 16-bit gray+alpha, RGB or RGBA PNG as 8-bit RGB(A), so the low byte was
lost; a PNG holding 12-bit values unscaled with sBIT 12 was written back 16 times larger;
and JPEG EXIF and TIFF Orientation tags were ignored, so images showed turned.
"""

import struct
import zlib

import imagecodecs
import numpy as np
import pytest
import tifffile
from PIL import Image, ImageOps

from core.errors import XrayWarning
from core.io import read_image, write_image
from core.io.raster_read import UNSCALED


def _ramp(rows=40, cols=56, seed=2):
    rng = np.random.default_rng(seed)
    _, xx = np.mgrid[:rows, :cols]
    return np.clip(rng.normal(2000 + 30000 * xx / (cols - 1), 300), 0, 65535).astype(np.uint16)


def _with_chunk(data: bytes, kind: bytes, body: bytes) -> bytes:
    """Insert a chunk right after IHDR (8-byte signature, 25-byte IHDR)."""
    chunk = kind + body
    packed = struct.pack(">I", len(body)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return data[:33] + packed + data[33:]


def test_a_16_bit_gray_alpha_png_keeps_its_16_bit_gray(tmp_path):
    gray = _ramp()
    path = tmp_path / "la16.png"
    path.write_bytes(imagecodecs.png_encode(np.dstack([gray, np.full_like(gray, 40000)])))
    with pytest.warns(XrayWarning, match="alpha channel dropped"):
        image = read_image(path)
    assert image.mapping.bits_stored == 16
    np.testing.assert_array_equal(image.pixels, gray)


@pytest.mark.parametrize("alpha", [False, True])
def test_16_bit_rgb_and_rgba_pngs_become_16_bit_luma(tmp_path, alpha):
    red, green, blue = _ramp(seed=1), _ramp(seed=2), _ramp(seed=3)
    planes = [red, green, blue] + ([np.full_like(red, 65535)] if alpha else [])
    path = tmp_path / "rgb16.png"
    path.write_bytes(imagecodecs.png_encode(np.dstack(planes)))
    said = (
        "RGBA image converted to grayscale \\(BT.601 luma\\), alpha dropped"
        if alpha
        else ("RGB image converted to grayscale \\(BT.601 luma\\)$")
    )
    with pytest.warns(XrayWarning, match=said):
        image = read_image(path)
    expected = np.rint(0.299 * red + 0.587 * green + 0.114 * blue)
    assert image.mapping.bits_stored == 16
    np.testing.assert_array_equal(image.pixels, expected.astype(np.float32))


def test_a_16_bit_gray_alpha_png_is_denoised_to_a_16_bit_png_on_its_scale(tmp_path):
    gray = _ramp()
    path = tmp_path / "la16.png"
    path.write_bytes(imagecodecs.png_encode(np.dstack([gray, np.full_like(gray, 65535)])))
    with pytest.warns(XrayWarning):
        image = read_image(path)
    written = write_image(image, tmp_path / "out.png", description="d", overwrite=False)
    back = np.asarray(Image.open(written))
    assert back.dtype == np.uint16
    np.testing.assert_array_equal(back, gray)


def test_a_16_bit_gray_alpha_png_with_sbit_reads_on_its_bits(tmp_path):
    twelve = (_ramp() >> 4).astype(np.uint16)
    scaled = (twelve << 4) | (twelve >> 8)  # left-bit replication, as PNG asks
    data = imagecodecs.png_encode(np.dstack([scaled, np.full_like(scaled, 65535)]))
    path = tmp_path / "la12.png"
    path.write_bytes(_with_chunk(data, b"sBIT", bytes([12, 16])))
    with pytest.warns(XrayWarning, match="alpha"):
        image = read_image(path)
    assert image.mapping.bits_stored == 12
    np.testing.assert_array_equal(image.pixels, twelve)


def test_unscaled_12_bit_values_with_sbit_are_written_back_unscaled(tmp_path):
    values = (_ramp() >> 4).astype(np.uint16)  # 0..4095, using the low bits
    buffer = tmp_path / "plain.png"
    Image.fromarray(values).save(buffer)
    path = tmp_path / "raw12.png"
    path.write_bytes(_with_chunk(buffer.read_bytes(), b"sBIT", bytes([12])))
    image = read_image(path)
    assert image.mapping.bits_stored == 12 and image.metadata[UNSCALED] is True
    written = write_image(image, tmp_path / "out.png", description="d", overwrite=False)
    np.testing.assert_array_equal(np.asarray(Image.open(written)), values)
    again = read_image(written)
    np.testing.assert_array_equal(again.pixels, values)
    assert again.mapping.bits_stored == 12


def test_scaled_12_bit_values_are_still_written_scaled(tmp_path):
    values = (_ramp() >> 4).astype(np.uint16)
    scaled = (values << 4) | (values >> 8)
    buffer = tmp_path / "plain.png"
    Image.fromarray(scaled).save(buffer)
    path = tmp_path / "scaled12.png"
    path.write_bytes(_with_chunk(buffer.read_bytes(), b"sBIT", bytes([12])))
    image = read_image(path)
    assert UNSCALED not in image.metadata
    written = write_image(image, tmp_path / "out.png", description="d", overwrite=False)
    np.testing.assert_array_equal(np.asarray(Image.open(written)), scaled)


def _picture(rows=24, cols=40):
    """An 8-bit picture whose every turn and mirror differs: no symmetry."""
    yy, xx = np.mgrid[:rows, :cols]
    return ((xx * 5 + yy * yy) % 251).astype(np.uint8)


def _exif(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


@pytest.mark.parametrize("orientation", range(2, 9))
def test_a_png_and_a_tiff_are_turned_upright_as_every_viewer_turns_them(tmp_path, orientation):
    picture = _picture()
    png = tmp_path / "turned.png"
    Image.fromarray(picture).save(png, exif=_exif(orientation))
    expected = np.asarray(ImageOps.exif_transpose(Image.open(png)))
    assert expected.shape != picture.shape or not np.array_equal(expected, picture)
    said = f"turned upright as its Orientation tag says \\({orientation}\\)"
    with pytest.warns(XrayWarning, match=said):
        image = read_image(png)
    np.testing.assert_array_equal(image.pixels, expected)
    tiff = tmp_path / "turned.tif"
    tifffile.imwrite(tiff, picture, extratags=[(274, 3, 1, orientation, True)])
    with pytest.warns(XrayWarning, match=said):
        image = read_image(tiff)
    np.testing.assert_array_equal(image.pixels, expected)


def test_a_jpeg_is_turned_upright_as_its_exif_says(tmp_path):
    path = tmp_path / "camera.jpg"
    Image.fromarray(_picture()).save(path, quality=95, exif=_exif(6))
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)))
    with pytest.warns(XrayWarning, match="Orientation tag says \\(6\\)"):
        image = read_image(path)
    assert image.shape == (40, 24)
    np.testing.assert_array_equal(image.pixels, expected)


def test_a_turned_tiff_swaps_its_spacing_and_is_written_upright_without_the_tag(tmp_path):
    values = _picture().astype(np.uint16) * 16
    path = tmp_path / "scan.tif"
    tifffile.imwrite(
        path,
        values,
        resolution=(10 / 0.2, 10 / 0.1),  # x (column) 0.2 mm, y (row) 0.1 mm
        resolutionunit="CENTIMETER",
        extratags=[(274, 3, 1, 6, True)],
    )
    with pytest.warns(XrayWarning, match="written upright, without the tag"):
        image = read_image(path)
    assert image.shape == (40, 24)
    assert image.pixel_spacing == pytest.approx((0.2, 0.1))
    written = write_image(image, tmp_path / "out.tif", description="d", overwrite=False)
    with tifffile.TiffFile(written) as tif:
        page = tif.pages[0]
        assert 274 not in page.tags
        np.testing.assert_array_equal(page.asarray(), np.rot90(values, -1))


def test_an_upright_or_unknown_orientation_leaves_the_image_as_it_is(tmp_path, recwarn):
    picture = _picture()
    for orientation in (1, 9):
        path = tmp_path / f"o{orientation}.png"
        Image.fromarray(picture).save(path, exif=_exif(orientation))
        np.testing.assert_array_equal(read_image(path).pixels, picture)
    assert not [w for w in recwarn if issubclass(w.category, XrayWarning)]
