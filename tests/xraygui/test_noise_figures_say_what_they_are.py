"""The panel and the report name each noise figure for what it is, and agree with the PSNR.

The input's noise and the pixel-scale noise left (the same white-noise estimate run on
the result) are not shown as "before" and "after", which would read as a noise reduction:
the estimate misses the correlated error a denoiser leaves. The noise-free PSNR is named
beside the rms noise it comes from, so that ``PSNR = 20 log10(range / rms)``.
"""

import math
import re

import pytest

from core.denoise.events import NOISE_LEFT_NOTE
from core.io import read_image, write_new_dicom
from core.noise import phantom_image
from xraygui.analysis import comparisons, noise_estimate
from xraygui.metrics_panel import MetricsPanel

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """A 12-bit phantom DICOM at 2000 quanta per pixel, and its noise-free original."""
    folder = tmp_path_factory.mktemp("pair")
    images = []
    for name, photons in (("noisy.dcm", 2000.0), ("clean.dcm", None)):
        pixels = phantom_image((128, 128), bits_stored=12, photons_per_pixel=photons, seed=3)
        images.append(read_image(write_new_dicom(pixels, folder / name, bits_stored=12)))
    return images


def _rms_and_psnr(text):
    """The rms and the PSNR that the noise-floor sentence names."""
    rms = re.search(r"rms ([0-9.e+]+) over the image", text)
    psnr = re.search(r"only about ([0-9.]+) dB PSNR", text)
    assert rms and psnr, text
    return float(rms.group(1)), float(psnr.group(1))


def test_the_panel_shows_the_noise_left_apart_from_the_input_noise(qtbot):
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.set_inputs(103.4, 0.7286, has_reference=True)
    text = panel.noise_label.text()
    assert text == (
        "Input noise (std, pixel values): 103.4\n"
        f"Pixel-scale noise left (std, pixel values): 0.7286 ({NOISE_LEFT_NOTE})"
    )
    assert "before" not in text and "after" not in text
    assert "no noise reduction factor" in panel.noise_label.toolTip()


def test_the_noise_floor_names_the_rms_its_psnr_comes_from(qtbot, pair, written_report):
    noisy, clean = pair
    noise = noise_estimate(noisy)
    rows = comparisons(noisy, clean, None, reference_noise=noise)
    (row,) = rows
    data_range = row.metrics.data_range
    assert row.noise_free_psnr == pytest.approx(20 * math.log10(data_range / row.noise_free_rms))
    # The global estimate is not that rms: naming it alone beside the PSNR contradicted it.
    assert abs(20 * math.log10(data_range / noise.sigma) - row.noise_free_psnr) > 1
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.set_rows(rows, noise.sigma)
    rms, psnr = _rms_and_psnr(panel.floor_label.text())
    assert 20 * math.log10(data_range / rms) == pytest.approx(psnr, abs=0.01)
    js, table, pdf = written_report(
        source=noisy,
        image=noisy,
        reference=noisy,
        rows=rows,
        noise=(noise.sigma, 0.7286),
        reference_noise=noise.sigma,
    )
    assert _rms_and_psnr(pdf) == (rms, psnr)
    assert js["metrics"][0]["noise_free_rms"] == pytest.approx(row.noise_free_rms)
    assert float(table[0]["noise_free_rms"]) == pytest.approx(row.noise_free_rms)
    # The report keeps the noise figures' names, and says what the one left is.
    assert js["noise_std"] == {"before": noise.sigma, "after": 0.7286, "reference": noise.sigma}
    assert f"Pixel-scale noise left (std, pixel values): 0.7286 ({NOISE_LEFT_NOTE})." in pdf
    assert "after 0.7286" not in pdf
