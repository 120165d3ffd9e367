import numpy as np
import pydicom
import pytest
import tifffile
from PIL import Image

from core.errors import ImageReadError, ImageWriteError, XrayWarning
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image, write_image
from core.io.notice import not_for_diagnosis


def save_png(path, array, mode=None):
    Image.fromarray(array, mode=mode).save(path)
    return path


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_png_round_trip_keeps_values_and_bit_depth(tmp_path, phantom16, dtype):
    values = (phantom16 % 256).astype(dtype) if dtype == np.uint8 else phantom16 * 16
    image = read_image(save_png(tmp_path / "in.png", values))
    bits = 8 * np.dtype(dtype).itemsize
    assert image.mapping == StoredMapping(bits_stored=bits)
    assert image.source_format == "png"
    np.testing.assert_array_equal(image.pixels, values)

    out = write_image(image.with_pixels(image.pixels + 1), tmp_path / "out.png", description="+1")
    with Image.open(out) as written:
        assert written.mode == ("L" if bits == 8 else "I;16")
        assert written.info["Description"] == f"+1. {not_for_diagnosis()}"
    expected = np.minimum(values.astype(np.float32) + 1, 2**bits - 1)  # clipped to the range
    np.testing.assert_array_equal(read_image(out).pixels, expected)


def test_png_writes_16_bit_for_a_12_bit_dicom(tmp_path, shipped):
    image = read_image(shipped("JPGExtended.dcm"))
    out = write_image(image, tmp_path / "out.png", description="export")
    with Image.open(out) as png:
        assert png.mode == "I;16"  # 16-bit samples
    back = read_image(out)
    assert back.mapping.bits_stored == 12  # holding 12-bit data, as its sBIT says
    np.testing.assert_array_equal(back.pixels, image.pixels)


@pytest.mark.parametrize(
    ("mapping", "reason"),
    [
        (StoredMapping(bits_stored=16, signed=True), "unsigned"),
        (StoredMapping(bits_stored=32, is_float=True), "unsigned"),
        (StoredMapping(bits_stored=32), "unsigned"),
    ],
)
def test_png_refuses_what_it_cannot_hold(tmp_path, mapping, reason):
    image = XrayImage(pixels=np.zeros((4, 4), np.float32), mapping=mapping, window=Window(0, 1))
    with pytest.raises(ImageWriteError, match=reason):
        write_image(image, tmp_path / "out.png", description="x")
    assert list(tmp_path.iterdir()) == []


def test_png_of_monochrome1_warns_that_viewers_invert_it(tmp_path, phantom16):
    image = XrayImage(
        pixels=phantom16.astype(np.float32),
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048, 4096),
        photometric="MONOCHROME1",
    )
    with pytest.warns(XrayWarning, match="MONOCHROME1"):
        out = write_image(image, tmp_path / "out.png", description="x")
    np.testing.assert_array_equal(read_image(out).pixels, image.pixels)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.uint32])
def test_tiff_round_trip_keeps_the_bit_depth(tmp_path, phantom16, dtype):
    values = phantom16.astype(np.int32) - (2048 if dtype == np.int16 else 0)
    values = values.astype(dtype) if dtype != np.uint8 else (values % 256).astype(dtype)
    tifffile.imwrite(tmp_path / "in.tif", values)
    image = read_image(tmp_path / "in.tif")
    assert image.mapping.bits_stored == 8 * np.dtype(dtype).itemsize
    assert image.mapping.signed == (dtype == np.int16)
    np.testing.assert_array_equal(image.pixels, values)

    out = write_image(image, tmp_path / "out.tiff", description="same")
    written = tifffile.imread(out)
    assert written.dtype == dtype
    np.testing.assert_array_equal(written, values)


@pytest.mark.parametrize(
    ("dtype", "compression", "predictor"),
    [
        (np.uint16, "lzw", None),  # what most image tools write
        (np.uint8, "lzw", None),
        (np.uint16, "zstd", None),
        (np.float32, "lzw", True),  # floating-point predictor
        (np.uint16, "lzma", None),
    ],
)
def test_compressed_tiff_reads_exactly(tmp_path, phantom16, dtype, compression, predictor):
    values = phantom16 / 65535.0 if dtype == np.float32 else phantom16 >> (8 * (dtype == np.uint8))
    values = values.astype(dtype)
    path = tmp_path / f"{compression}.tif"
    tifffile.imwrite(path, values, compression=compression, predictor=predictor)
    np.testing.assert_array_equal(read_image(path).pixels, values.astype(np.float32))


def test_jpeg_compressed_tiff_reads(tmp_path):
    yy, xx = np.mgrid[0:64, 0:80]
    gray = (128 + 90 * np.sin(xx / 9) * np.cos(yy / 7)).astype(np.uint8)
    Image.fromarray(gray).save(tmp_path / "jpeg.tif", compression="jpeg", quality=95)
    image = read_image(tmp_path / "jpeg.tif")
    assert image.mapping.bits_stored == 8 and np.abs(image.pixels - gray).mean() < 1.5


def test_float_tiff_round_trip(tmp_path):
    values = np.linspace(-1.5, 2.5, 48 * 64, dtype=np.float32).reshape(48, 64)
    tifffile.imwrite(tmp_path / "in.tif", values)
    image = read_image(tmp_path / "in.tif")
    assert image.mapping.is_float
    out = write_image(image.with_pixels(image.pixels * 2), tmp_path / "out.tif", description="x2")
    written = tifffile.imread(out)
    assert written.dtype == np.float32
    np.testing.assert_array_equal(written, values * 2)
    with tifffile.TiffFile(out) as tiff:
        assert tiff.pages[0].description == f"x2. {not_for_diagnosis()}"


def test_miniswhite_tiff_is_monochrome1_both_ways(tmp_path, phantom16):
    tifffile.imwrite(tmp_path / "in.tif", phantom16, photometric="miniswhite")
    image = read_image(tmp_path / "in.tif")
    assert image.photometric == "MONOCHROME1"
    out = write_image(image, tmp_path / "out.tif", description="x")
    with tifffile.TiffFile(out) as tif:
        assert tif.pages[0].photometric == tifffile.PHOTOMETRIC.MINISWHITE
        assert tif.pages[0].description == f"x. {not_for_diagnosis()}"


def test_multi_page_tiff_pages_are_frames(tmp_path, phantom16):
    tifffile.imwrite(tmp_path / "pages.tif", np.stack([phantom16, phantom16 + 1]))
    image = read_image(tmp_path / "pages.tif", frame=1)
    assert (image.frame, image.n_frames) == (1, 2)
    np.testing.assert_array_equal(image.pixels, phantom16 + 1)


def test_npy_round_trip_is_float32_pixels(tmp_path, shipped):
    image = read_image(shipped("CT_small.dcm"))
    out = write_image(image, tmp_path / "ct.npy", description="not stored")
    stored = np.load(out)
    assert stored.dtype == np.float32
    np.testing.assert_array_equal(stored, image.pixels)
    back = read_image(out)
    assert back.mapping.is_float and back.source_format == "npy"
    np.testing.assert_array_equal(back.pixels, image.pixels)


def test_integer_npy_has_an_integer_mapping(tmp_path, phantom16):
    np.save(tmp_path / "u16.npy", phantom16)
    image = read_image(tmp_path / "u16.npy")
    assert image.mapping == StoredMapping(bits_stored=16)


def rgb_array() -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, size=(16, 24, 3), dtype=np.uint8)


def bt601(rgb: np.ndarray) -> np.ndarray:
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_rgb_png_becomes_luma_with_a_warning_naming_the_file(tmp_path):
    rgb = rgb_array()
    path = save_png(tmp_path / "colour.png", rgb)
    with pytest.warns(XrayWarning, match="colour.png.*RGB.*grayscale") as record:
        image = read_image(path)
    assert len(record) == 1
    np.testing.assert_allclose(image.pixels, bt601(rgb), rtol=1e-6)
    assert image.mapping.bits_stored == 8


def test_rgba_png_drops_alpha_with_a_warning(tmp_path):
    rgba = np.dstack([rgb_array(), np.full((16, 24), 128, np.uint8)])
    with pytest.warns(XrayWarning, match="alpha dropped"):
        image = read_image(save_png(tmp_path / "alpha.png", rgba))
    np.testing.assert_allclose(image.pixels, bt601(rgba[..., :3]), rtol=1e-6)


def test_gray_alpha_png_keeps_the_gray_channel(tmp_path):
    gray_alpha = np.dstack(
        [np.arange(16 * 24, dtype=np.uint8).reshape(16, 24), np.zeros((16, 24), np.uint8)]
    )
    with pytest.warns(XrayWarning, match="alpha"):
        image = read_image(save_png(tmp_path / "la.png", gray_alpha, mode="LA"))
    np.testing.assert_array_equal(image.pixels, gray_alpha[..., 0])


def test_palette_png_becomes_luma(tmp_path):
    rgb = rgb_array()
    path = tmp_path / "palette.png"
    Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(path)
    with Image.open(path) as reference:
        expected = bt601(np.asarray(reference.convert("RGB")))
    with pytest.warns(XrayWarning, match="P image"):
        image = read_image(path)
    np.testing.assert_allclose(image.pixels, expected, rtol=1e-6)


def test_rgb_tiff_becomes_luma(tmp_path):
    rgb = rgb_array()
    tifffile.imwrite(tmp_path / "rgb.tif", rgb, photometric="rgb")
    with pytest.warns(XrayWarning, match="RGB"):
        image = read_image(tmp_path / "rgb.tif")
    np.testing.assert_allclose(image.pixels, bt601(rgb), rtol=1e-6)


def test_png_source_saved_as_dicom_is_a_new_secondary_capture(tmp_path, phantom16):
    image = read_image(save_png(tmp_path / "in.png", phantom16))
    out = write_image(image, tmp_path / "out.dcm", description="from a PNG")
    ds = pydicom.dcmread(out)
    assert ds.SOPClassUID == pydicom.uid.SecondaryCaptureImageStorage
    assert ds.DerivationDescription == "Not for diagnostic use: from a PNG"
    np.testing.assert_array_equal(read_image(out).pixels, image.pixels)


def test_float_image_cannot_be_saved_as_dicom(tmp_path):
    np.save(tmp_path / "f.npy", np.ones((4, 4), np.float32))
    image = read_image(tmp_path / "f.npy")
    with pytest.raises(ImageWriteError, match=r"\.tif or \.npy"):
        write_image(image, tmp_path / "f.dcm", description="x")


def test_unknown_output_extension(tmp_path, phantom16):
    image = read_image(save_png(tmp_path / "in.png", phantom16))
    with pytest.raises(ImageWriteError, match="unsupported output format .gif"):
        write_image(image, tmp_path / "out.gif", description="x")


def smooth_u8(rows: int = 64, cols: int = 80) -> np.ndarray:
    yy, xx = np.mgrid[0:rows, 0:cols]
    return (128 + 90 * np.sin(xx / 9) * np.cos(yy / 7)).astype(np.uint8)


def test_gray_jpeg_reads_as_8_bit(tmp_path):
    gray = smooth_u8()
    Image.fromarray(gray).save(tmp_path / "film.jpg", quality=95)
    image = read_image(tmp_path / "film.jpg")
    assert image.source_format == "jpeg" and image.mapping == StoredMapping(bits_stored=8)
    assert image.shape == gray.shape
    # Lossy: close to what was saved, not equal.
    assert np.abs(image.pixels - gray).mean() < 1.5


@pytest.mark.parametrize("mode", ["RGB", "CMYK"])
def test_colour_jpeg_becomes_luma_with_a_warning(tmp_path, mode):
    Image.fromarray(rgb_array()).convert(mode).save(tmp_path / "colour.jpeg", quality=95)
    with Image.open(tmp_path / "colour.jpeg") as reference:
        expected = bt601(np.asarray(reference.convert("RGB")))
    with pytest.warns(XrayWarning, match=f"colour.jpeg.*{mode} image converted to grayscale"):
        image = read_image(tmp_path / "colour.jpeg")
    np.testing.assert_allclose(image.pixels, expected, rtol=1e-6)


def test_jpeg_output_is_refused_for_png(tmp_path):
    Image.fromarray(smooth_u8()).save(tmp_path / "film.jpg")
    image = read_image(tmp_path / "film.jpg")
    with pytest.raises(ImageWriteError, match=r"compression artefacts.*use \.png"):
        write_image(image, tmp_path / "out.jpg", description="x")
    assert not (tmp_path / "out.jpg").exists()
    out = write_image(image, tmp_path / "out.png", description="x")
    np.testing.assert_array_equal(read_image(out).pixels, image.pixels)


def test_integers_beyond_float32s_exact_range_warn_and_huge_floats_are_refused(tmp_path):
    big = (1_000_000_000 + np.arange(4096).reshape(64, 64)).astype(np.int32)
    tifffile.imwrite(tmp_path / "i32.tif", big)
    with pytest.warns(XrayWarning, match="32-bit floats hold these pixel values"):
        read_image(tmp_path / "i32.tif")
    np.save(tmp_path / "huge.npy", np.full((16, 16), 1e300))
    with pytest.raises(ImageReadError, match="exceed the range of 32-bit floats"):
        read_image(tmp_path / "huge.npy")
