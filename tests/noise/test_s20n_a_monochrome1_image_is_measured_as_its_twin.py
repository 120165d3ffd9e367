"""The quanta measured from a MONOCHROME1 image are those of its MONOCHROME2 twin.

The noise-level function bins intensities from the low end up, so an image and its
mirror were binned differently: quanta measured from MONOCHROME1 phantoms read 6 % low
(every one of 16 seeds), from their MONOCHROME2 twins 1 % high.
"""

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, phantom_image


@pytest.mark.parametrize("seed", [0, 1])
def test_one_exposure_stored_either_way_gives_one_measurement(seed):
    stored = phantom_image((512, 512), photons_per_pixel=20_000.0, seed=seed)
    measured = []
    for photometric, values in (("MONOCHROME2", stored), ("MONOCHROME1", 4095 - stored)):
        image = XrayImage(
            values.astype(np.float32), StoredMapping(12), Window(2048, 4096), photometric
        )
        measured.append(LowDoseSettings.measured_from(image, 0.5))
    twin, mirror = measured
    assert mirror.photons_per_pixel == pytest.approx(twin.photons_per_pixel, rel=1e-9)
    assert mirror.max_attenuation == pytest.approx(twin.max_attenuation, rel=1e-9)
    assert mirror.photons_range == pytest.approx(twin.photons_range, rel=1e-9)
    assert twin.photons_per_pixel == pytest.approx(20_000.0, rel=0.1)
