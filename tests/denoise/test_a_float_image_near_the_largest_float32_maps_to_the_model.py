"""A finite float image near float32's largest maps to the model's domain.

Its block means overflowed in float32 (core.binning), and the stabiliser then refused it:
"values contain NaN or infinity; replace them first".
"""

import numpy as np

from core.denoise.domain import ModelDomain
from core.image import StoredMapping, Window, XrayImage
from core.noise import NoiseEstimate


def test_values_around_3e38_are_mapped():
    pixels = np.random.default_rng(2).normal(3e38, 1e37, (64, 64)).clip(0, 3.4e38)
    image = XrayImage(
        pixels=pixels.astype(np.float32),
        mapping=StoredMapping(bits_stored=32, is_float=True),
        window=Window(3e38, 1e38),
    )
    domain = ModelDomain.from_image(image, NoiseEstimate.of_image(image))
    assert np.all(np.isfinite(domain.to_model(image.pixels)))
