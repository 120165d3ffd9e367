"""Pixel spacing in PNG (pHYs) and TIFF (X/YResolution): written, and read back."""

import struct
import zlib

import numpy as np
import pytest
import tifffile
from PIL import Image

from core.image import StoredMapping, Window, XrayImage
from core.io import read_image, write_image


def image_with(spacing):
    rows, cols = np.mgrid[0:24, 0:32]
    pixels = ((rows * 61 + cols * 17) % 4096).astype(np.float32)
    return XrayImage(
        pixels, StoredMapping(bits_stored=12), Window(2048, 4096), pixel_spacing=spacing
    )


def png_phys(path):
    """The pHYs chunk as (x per unit, y per unit, unit), or None."""
    data = path.read_bytes()
    position = 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        if kind == b"pHYs":
            return struct.unpack(">IIB", data[position + 8 : position + 17])
        position += 12 + length
    return None


def tiff_resolution(path):
    with tifffile.TiffFile(path) as tif:
        tags = tif.pages[0].tags
        return tags["XResolution"].value, tags["YResolution"].value, tags["ResolutionUnit"].value


def with_phys(path, per_x, per_y, unit):
    """Insert a pHYs chunk right after the PNG's header chunk."""
    data = path.read_bytes()
    end_of_header = 8 + 8 + 13 + 4
    body = b"pHYs" + struct.pack(">IIB", per_x, per_y, unit)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    path.write_bytes(data[:end_of_header] + chunk + data[end_of_header:])
    return path


def test_png_carries_the_spacing_in_pixels_per_metre(tmp_path):
    path = write_image(image_with((0.15, 0.2)), tmp_path / "out.png", description="x")
    assert png_phys(path) == (5000, 6667, 1)  # x from the column spacing, y from the row's
    assert read_image(path).pixel_spacing == (0.15, 0.2)


@pytest.mark.parametrize("spacing", [0.05, 0.0495, 0.1, 0.139, 0.143, 0.7, 0.9])
def test_png_spacing_reads_back_as_the_decimal_written(tmp_path, spacing):
    path = write_image(image_with((spacing, spacing)), tmp_path / "out.png", description="x")
    assert read_image(path).pixel_spacing == (spacing, spacing)


def test_tiff_carries_the_spacing_in_pixels_per_centimetre(tmp_path):
    path = write_image(image_with((0.15, 0.2)), tmp_path / "out.tif", description="x")
    assert tiff_resolution(path) == ((50, 1), (200, 3), tifffile.RESUNIT.CENTIMETER)
    assert read_image(path).pixel_spacing == (0.15, 0.2)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_without_a_spacing_none_is_written_or_read(tmp_path, suffix):
    path = write_image(image_with(None), tmp_path / f"out{suffix}", description="x")
    if suffix == ".png":
        assert png_phys(path) is None
    else:
        assert tiff_resolution(path)[2] == tifffile.RESUNIT.NONE
    assert read_image(path).pixel_spacing is None


def test_a_dicom_s_spacing_survives_png_and_tiff(tmp_path, shipped):
    source = read_image(shipped("examples_overlay.dcm"))  # 12-bit, 0.72314049586777 mm
    assert source.pixel_spacing == pytest.approx((0.72314049586777, 0.72314049586777))
    from_tiff = read_image(write_image(source, tmp_path / "out.tif", description="x"))
    assert from_tiff.pixel_spacing == pytest.approx(source.pixel_spacing, rel=1e-9)
    from_png = read_image(write_image(source, tmp_path / "out.png", description="x"))
    per_metre = round(1000 / source.pixel_spacing[0])  # whole pixels per metre: 1383
    assert from_png.pixel_spacing == pytest.approx(source.pixel_spacing, rel=0.5 / per_metre)


@pytest.mark.parametrize("dpi", [72, 96])
def test_a_screen_default_density_is_no_spacing(tmp_path, dpi):
    png = tmp_path / "screen.png"
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(png, dpi=(dpi, dpi))
    assert png_phys(png)[2] == 1  # Pillow writes it in pixels per metre
    assert read_image(png).pixel_spacing is None
    tif = tmp_path / "screen.tif"
    tifffile.imwrite(tif, np.zeros((8, 8), np.uint8), resolution=(dpi, dpi), resolutionunit="INCH")
    assert read_image(tif).pixel_spacing is None


def test_a_scanner_s_dots_per_inch_give_its_spacing(tmp_path):
    tif = tmp_path / "film.tif"
    tifffile.imwrite(tif, np.zeros((8, 8), np.uint16), resolution=(300, 300), resolutionunit=2)
    assert read_image(tif).pixel_spacing == pytest.approx((25.4 / 300, 25.4 / 300))


def test_an_aspect_ratio_alone_is_no_spacing(tmp_path):
    png = tmp_path / "aspect.png"
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(png)
    assert read_image(with_phys(png, 5000, 5000, 0)).pixel_spacing is None
    tif = tmp_path / "aspect.tif"
    tifffile.imwrite(tif, np.zeros((8, 8), np.uint8), resolution=(50, 50), resolutionunit=1)
    assert read_image(tif).pixel_spacing is None


def test_a_tiff_page_s_own_resolution_gives_its_spacing(tmp_path):
    tif = tmp_path / "pages.tif"
    with tifffile.TiffWriter(tif) as writer:
        writer.write(np.zeros((8, 8), np.uint16), resolution=(50, 50), resolutionunit=3)
        writer.write(np.zeros((8, 8), np.uint16), resolution=(100, 100), resolutionunit=3)
    assert read_image(tif, frame=0).pixel_spacing == (0.2, 0.2)
    assert read_image(tif, frame=1).pixel_spacing == (0.1, 0.1)
