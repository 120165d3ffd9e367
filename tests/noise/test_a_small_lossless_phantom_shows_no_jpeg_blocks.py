"""A lossless image of the fewest pixels measured is not taken for a JPEG by its pixels.

At 128 px the signature of lossless phantoms spreads down to 0.90, and 2 of 8 phantoms at
5000 quanta were warned of as "lossy-compressed (JPEG, by its 8 x 8 blocks)" against the
threshold of 0.96 measured on 1024 px films (:mod:`core.noise.lossy`).
"""

import io

import numpy as np
import pytest
from PIL import Image

from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image
from core.noise.lossy import MIN_PIXELS, lossy_compression

SIDE = int(MIN_PIXELS**0.5)


def _image(stored, bits):
    return XrayImage(stored.astype(np.float32), StoredMapping(bits), Window(2**bits // 2, 2**bits))


@pytest.mark.parametrize("photons", [None, 5000.0, 100_000.0])
def test_lossless_phantoms_of_the_fewest_pixels_show_no_blocks(photons):
    flagged = [
        seed
        for seed in range(12)
        if lossy_compression(
            _image(phantom_image((SIDE, SIDE), photons_per_pixel=photons, seed=seed), 12)
        )
        is not None
    ]
    assert flagged == []


@pytest.mark.parametrize("quality", [75, 50])
def test_a_jpeg_of_the_fewest_pixels_still_shows_its_blocks(quality):
    for seed in range(4):
        stored = phantom_image((SIDE, SIDE), bits_stored=8, photons_per_pixel=5000.0, seed=seed)
        buffer = io.BytesIO()
        Image.fromarray(stored.astype(np.uint8)).save(buffer, "JPEG", quality=quality)
        decoded = np.asarray(Image.open(buffer))
        assert lossy_compression(_image(decoded, 8)) == "JPEG, by its 8 x 8 blocks"
