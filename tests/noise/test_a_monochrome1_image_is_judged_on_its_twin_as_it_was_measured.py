"""Whether a MONOCHROME1 image's quanta hang on the electronic noise is judged on its twin.

Its quanta are measured on its MONOCHROME2 twin (the noise-level function bins from the
low end up); judged on the image as stored, the warning quoted other quanta than measured.
"""

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, phantom_image
from core.noise.dose import monochrome2_twin
from core.noise.electronic import electronic_noise_problem
from core.noise.value_range import value_range


def test_the_electronic_noise_warning_of_a_monochrome1_image_is_its_twins():
    stored = phantom_image((512, 512), photons_per_pixel=2_000.0, electronic_noise=20.0, seed=0)
    mirror = (4095 - stored.astype(np.int64)).astype(np.float32)
    image = XrayImage(mirror, StoredMapping(12), Window(2048, 4096), "MONOCHROME1")
    twin = monochrome2_twin(image, value_range(image))
    settings = LowDoseSettings.measured_from(image, 0.5)
    assert settings == LowDoseSettings.measured_from(twin, 0.5)
    said = electronic_noise_problem(image, settings)
    assert said is not None and said == electronic_noise_problem(twin, settings)
