"""An image too small to measure its quanta without a bias is refused, and says so."""

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, phantom_image
from core.noise.dose import MIN_MEASURED_BLOCKS_PER_BIN


def phantom(size, photons, seed):
    """A `size` px phantom taken at `photons` quanta (electronic noise 4), 12 bit."""
    stored = phantom_image((size, size), photons_per_pixel=photons, electronic_noise=4.0, seed=seed)
    return XrayImage(
        stored.astype(np.float32),
        StoredMapping(bits_stored=12),
        Window(2048, 4096),
        photometric="MONOCHROME2",
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_a_256_px_image_is_refused_as_too_small_to_measure(seed):
    # Its noise-level bins hold about 500 blocks; measured, the quanta came out 1 % to
    # 12 % too few and their one standard error held the truth in 1 of 4 images.
    image = phantom(256, 1000.0, seed)
    with pytest.raises(ValueError) as refused:
        LowDoseSettings.measured_from(image, 0.5)
    reason = str(refused.value)
    assert reason.startswith("it is too small to measure its quanta, so they must be entered")
    assert f"{MIN_MEASURED_BLOCKS_PER_BIN} are needed" in reason
    assert "\n" not in reason
    settings, why_not = LowDoseSettings.measured_or_default(image, 0.5)
    assert why_not == reason and not settings.measured


def test_a_384_px_image_is_still_measured():
    # Its bins hold 1000 blocks each: within 7 % of the truth in 16 phantoms.
    settings = LowDoseSettings.measured_from(phantom(384, 2000.0, 2), 0.5)
    assert settings.measured
    assert settings.photons_per_pixel == pytest.approx(2000.0, rel=0.07)
