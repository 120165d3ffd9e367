"""A MONOCHROME1 image's quanta are measured from its MONOCHROME2 twin's noise alone.

The twin's noise estimate is no transform of the image's (the noise-level bins are merged
from the low end up), so a `noise` given for the image as stored is not used, and
``simulate`` does not estimate it for the measurement.
"""

import numpy as np
import pytest

from core.cli import main
from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, NoiseEstimate, phantom_image


def test_a_noise_estimate_given_for_a_monochrome1_image_is_not_used():
    stored = phantom_image((512, 512), photons_per_pixel=20_000.0, seed=0)
    mirror = (4095 - stored.astype(np.int64)).astype(np.float32)
    image = XrayImage(mirror, StoredMapping(12), Window(2048, 4096), "MONOCHROME1")
    own = NoiseEstimate.of_image(image)
    unrelated = NoiseEstimate(own.nlf.without_rounding(1.0), own.sigma / 2)  # would change it
    given = LowDoseSettings.measured_from(image, 0.5, noise=unrelated)
    assert given == LowDoseSettings.measured_from(image, 0.5)


@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
def test_simulate_estimates_the_noise_once_for_a_measurement(
    tmp_path, monkeypatch, capsys, photometric
):
    # 256 px: its quanta cannot be measured, which is found once its noise is estimated.
    source = tmp_path / "phantom.dcm"
    size = ["--size", "256", "--photons", "2000", "--seed", "1"]
    assert main(["phantom", str(source), *size, "--photometric", photometric]) == 0
    made = []
    estimate = NoiseEstimate.from_pixels.__func__

    def counted(cls, pixels, **options):
        made.append(pixels.shape)
        return estimate(cls, pixels, **options)

    monkeypatch.setattr(NoiseEstimate, "from_pixels", classmethod(counted))
    out = tmp_path / "low.dcm"
    assert main(["simulate", str(source), "--dose", "0.5", "--output", str(out)]) == 0
    assert "cannot measure the quanta from its noise" in capsys.readouterr().err
    assert len(made) == 1  # the image's, or for MONOCHROME1 its twin's
