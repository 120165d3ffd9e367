"""Review s20b: the app's metrics and report on padding, ceilings, infinities and thumbnails.

- A region of interest wholly inside the padding raised, losing the whole image's rows too,
  and the report then said "No reference image" although a reference was set.
- A noise-free reference's structure was taken for noise: its ceiling was stated, and beaten.
- An infinite noise-free PSNR was left empty in the CSV and dropped from the PDF.
- Qt's PDF engine embedded the thumbnails as JPEG: the residual was off by up to 10 grey levels.
"""

import math
import re
import zlib

import numpy as np
import pytest

from core.image import Padding, StoredMapping, Window, XrayImage
from core.io import read_image, write_new_dicom
from core.metrics import QualityMetrics, Region
from core.noise import phantom_image
from xraygui.analysis import Comparison, comparisons, noise_estimate, noise_floor_text
from xraygui.reports import ReportContent, pdf_bytes

pytestmark = pytest.mark.gui


def _padded(stored):
    """A 12-bit image whose first 40 columns are padding (PixelPaddingValue 0)."""
    stored = np.maximum(stored.astype(np.int64), 1)
    stored[:, :40] = 0
    return XrayImage(
        stored.astype(np.float32),
        StoredMapping(bits_stored=12),
        Window(2048, 4096),
        photometric="MONOCHROME2",
        padding=Padding.from_stored(stored, 0, 0),
    )


@pytest.fixture(scope="module")
def padded_pair():
    reference = _padded(phantom_image((128, 128), photons_per_pixel=20_000.0, seed=1))
    test = _padded(phantom_image((128, 128), photons_per_pixel=2_000.0, seed=1))
    return reference, test


def test_a_region_in_padding_keeps_the_whole_images_rows(qapp, padded_pair, written_report):
    reference, test = padded_pair
    noise = noise_estimate(reference)
    rows = comparisons(reference, test, None, region=Region(10, 0, 30, 30), reference_noise=noise)
    assert [row.scope for row in rows] == ["image", "10,0,30,30"]
    whole, region = rows
    assert whole.metrics.problem is None and whole.metrics.psnr > 0
    problem = "the region 10,0,30,30 holds only padding: nothing to compare"
    assert region.metrics.problem == problem and region.metrics.excluded == 900
    assert math.isnan(region.metrics.psnr) and region.noise_free_psnr is None
    js, table, pdf = written_report(source=test, image=test, reference=reference, rows=rows)
    assert js["metrics"][1]["problem"] == problem and js["metrics"][1]["mse"] is None
    assert table[1]["metrics_problem"] == problem and table[0]["metrics_problem"] == ""
    assert f"Metrics unavailable: {problem}." in pdf
    assert "No reference image" not in pdf and "SSIM unknown" not in pdf


def test_a_reference_without_rows_is_not_said_to_be_missing(qapp, padded_pair, written_report):
    reference, test = padded_pair
    js, table, pdf = written_report(source=test, image=test, reference=reference, rows=[])
    assert "No reference image" not in pdf
    assert "Metrics unavailable: they could not be computed for these images" in pdf
    assert js["metrics_problem"].startswith("they could not be computed")
    _, _, without = written_report(source=test, image=test)
    assert "No reference image: PSNR and SSIM are not available." in without


def test_a_noise_free_references_structure_gets_no_ceiling(qapp, written_report):
    clean = XrayImage(
        phantom_image((128, 128), bits_stored=12, seed=1).astype(np.float32),
        StoredMapping(bits_stored=12),
        Window(2048, 4096),
    )
    high = clean.with_pixels(
        phantom_image((128, 128), bits_stored=12, photons_per_pixel=1e6, seed=1)
    )
    (row,) = comparisons(clean, high, None, reference_noise=noise_estimate(clean))
    assert row.metrics.psnr > 60 and row.noise_free_psnr is None
    assert "looks like its structure" in row.noise_free_psnr_problem
    _, _, pdf = written_report(source=high, image=high, reference=clean, rows=[row])
    assert "even the noise-free image would score" not in pdf
    assert "The noise-free image's PSNR against the reference is unknown: what was" in pdf


def test_an_image_beating_the_ceiling_takes_it_away_unless_made_from_the_reference(tmp_path):
    stored = phantom_image((256, 256), bits_stored=12, photons_per_pixel=20_000.0, seed=0)
    reference = read_image(write_new_dicom(stored, tmp_path / "ref.dcm"))
    noise = noise_estimate(reference)
    close = reference.pixels + np.random.default_rng(1).normal(0, 1, stored.shape)
    made = reference.with_pixels(close)  # keeps the reference's hash: it keeps its noise
    (row,) = comparisons(reference, made, None, reference_noise=noise)
    assert row.noise_free_psnr is not None and row.noise_free_psnr_problem is None
    other = XrayImage(close.astype(np.float32), reference.mapping, reference.window)
    (row,) = comparisons(reference, other, None, reference_noise=noise)
    assert row.noise_free_psnr is None
    assert row.noise_free_psnr_problem.startswith("a compared image scores")


def test_an_infinite_noise_free_psnr_is_written_as_inf(qapp, tmp_path, written_report):
    stored = phantom_image((256, 256), bits_stored=12, photons_per_pixel=20_000.0, seed=0)
    other = phantom_image((256, 256), bits_stored=12, photons_per_pixel=20_000.0, seed=4)
    stored[:20, :20] = other[:20, :20] = 4095  # saturated: clipped, without noise
    reference = read_image(write_new_dicom(stored, tmp_path / "ref.dcm"))
    test = read_image(write_new_dicom(other, tmp_path / "test.dcm"))
    region = Region(0, 0, 20, 20)
    rows = comparisons(
        reference, test, None, region=region, reference_noise=noise_estimate(reference)
    )
    assert rows[1].noise_free_psnr == math.inf
    js, table, pdf = written_report(source=test, image=test, reference=reference, rows=rows)
    assert js["metrics"][1]["noise_free_psnr"] is None
    assert js["metrics"][1]["noise_free_psnr_infinite"] is True
    assert js["metrics"][0]["noise_free_psnr_infinite"] is False
    assert table[1]["noise_free_psnr_db"] == "inf" and float(table[0]["noise_free_psnr_db"]) > 0
    assert "(rows 0-19, cols 0-19: inf dB)" in pdf
    whole = Comparison(
        "noisy vs reference", "image", QualityMetrics(1.0, 48.0, 0.99, 4095.0), math.inf
    )
    _, _, pdf = written_report(source=test, image=test, reference=reference, rows=[whole])
    assert noise_floor_text(math.inf, 0.0, 3.0) in pdf and "score inf dB PSNR" in pdf


def _images(pdf: bytes) -> list[tuple[bytes, np.ndarray]]:
    """Return each image XObject's /Filter and its pixels (Flate streams only decoded)."""
    found = []
    for match in re.finditer(rb"<<([^<>]*?/Subtype\s*/Image[^<>]*?)>>\s*stream\r?\n", pdf):
        head = match.group(1)
        width = int(re.search(rb"/Width\s+(\d+)", head).group(1))
        height = int(re.search(rb"/Height\s+(\d+)", head).group(1))
        kind = re.search(rb"/Filter\s*/(\w+)", head).group(1)
        pixels = np.empty(0)
        if kind == b"FlateDecode":
            data = zlib.decompressobj().decompress(pdf[match.end() :])
            channels = len(data) // (width * height)
            pixels = np.frombuffer(data[: width * height * channels], np.uint8)
            pixels = pixels.reshape(height, width, channels)[..., 0]
        found.append((kind, pixels))
    return found


def test_the_thumbnails_are_embedded_losslessly(qapp):
    rng = np.random.default_rng(0)
    grey = rng.random((64, 64)).astype(np.float32)  # noise: what JPEG keeps worst
    content = ReportContent(
        source="",
        image={"rows": 64, "columns": 64, "pixel_spacing_mm": None, "photometric": "MONOCHROME2"}
        | {"format": "npy", "frame": 1, "frames": 1, "modality": None},
        patient=None,
        simulation=None,
        denoising=None,
        noise={"before": 1.0, "after": None, "reference": None},
        metrics=[],
        thumbnails={"before": grey, "after": grey[::-1], "residual": grey.T},
    )
    images = _images(pdf_bytes(content))
    assert len(images) == 3 and {kind for kind, _ in images} == {b"FlateDecode"}
    expected = [(np.clip(g, 0, 1) * 255).astype(np.uint8) for g in (grey, grey[::-1], grey.T)]
    for (_, pixels), want in zip(images, expected, strict=True):
        assert np.abs(pixels.astype(int) - want).max() <= 1
