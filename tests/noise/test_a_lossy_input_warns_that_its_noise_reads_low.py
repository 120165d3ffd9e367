"""A JPEG-compressed input is marked lossy and warns that its noise estimate may read low.

JPEG's quantisation flattens the smooth 8 x 8 blocks the noise estimate measures in, so a
noisy image saved at quality 75 reads nearly noise-free (:mod:`core.noise.lossy`). The same
image saved losslessly gives no warning.
"""

import warnings
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from core.denoise import estimate_image_noise
from core.errors import XrayWarning
from core.io import read_image
from core.noise import phantom_image
from core.noise.lossy import BLOCK_SIGNATURE, block_signature, lossy_compression

WARNING = "lossy-compressed (JPEG) input: compression removed fine-scale noise"


@pytest.fixture(scope="module")
def noisy() -> np.ndarray:
    """An 8-bit 256 px chest phantom at 2000 quanta per unattenuated pixel."""
    return phantom_image((256, 256), bits_stored=8, photons_per_pixel=2000.0, seed=3).astype(
        np.uint8
    )


def _saved(pixels: np.ndarray, path, **options):
    Image.fromarray(pixels).save(path, **options)
    return path


def _estimate_quietly(image):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return estimate_image_noise(image)


def test_a_jpeg_at_quality_75_is_marked_lossy_and_warns(noisy, tmp_path):
    image = read_image(_saved(noisy, tmp_path / "noisy.jpg", quality=75))
    assert image.metadata["LossyImageCompression"] == "01"
    assert image.metadata["LossyImageCompressionMethod"] == "ISO_10918_1"
    with pytest.warns(XrayWarning, match=r"noisy\.jpg: lossy-compressed \(JPEG\) input") as caught:
        noise = estimate_image_noise(image)
    assert len(caught) == 1
    assert f"(sigma {noise.sigma:.3g}) may read low" in str(caught[0].message)
    lossless = _estimate_quietly(read_image(_saved(noisy, tmp_path / "noisy.png")))
    assert noise.sigma < 0.5 * lossless.sigma  # what the warning is about


def test_the_same_image_saved_losslessly_gives_no_warning(noisy, tmp_path):
    image = read_image(_saved(noisy, tmp_path / "noisy.png"))
    assert "LossyImageCompression" not in image.metadata
    assert lossy_compression(image) is None
    _estimate_quietly(image)  # an XrayWarning would raise here


def test_a_jpeg_saved_again_losslessly_shows_its_blocks(noisy, tmp_path):
    decoded = np.asarray(Image.open(_saved(noisy, tmp_path / "noisy.jpg", quality=75)))
    again = read_image(_saved(decoded[3:, 5:], tmp_path / "again.png"))  # cropped: grid moved
    assert "LossyImageCompression" not in again.metadata
    assert lossy_compression(again) == "JPEG, by its 8 x 8 blocks"
    with pytest.warns(XrayWarning, match=r"lossy-compressed \(JPEG, by its 8 x 8 blocks\)"):
        estimate_image_noise(again)


@pytest.mark.parametrize("quality", [75, 50])
def test_the_block_signature_parts_lossless_from_quality_75_and_below(noisy, quality, tmp_path):
    decoded = np.asarray(Image.open(_saved(noisy, tmp_path / "noisy.jpg", quality=quality)))
    assert block_signature(decoded) < BLOCK_SIGNATURE
    assert block_signature(noisy) > BLOCK_SIGNATURE


def test_padding_is_left_out_of_the_signature(noisy):
    padded = noisy.astype(np.float64)
    rows, columns = np.indices((256, 64)) // 8
    padded[:, :64] = 255.0 * ((rows + columns) % 2)  # flat blocks, steps at their boundaries
    exclude = np.zeros(padded.shape, bool)
    exclude[:, :64] = True
    assert block_signature(padded) < BLOCK_SIGNATURE
    assert block_signature(padded, exclude=exclude) > BLOCK_SIGNATURE


def test_a_recorded_lossy_method_is_named(noisy, tmp_path):
    image = read_image(_saved(noisy, tmp_path / "noisy.png"))
    lossy = {"LossyImageCompression": "01", "LossyImageCompressionMethod": "ISO_15444_1"}
    assert lossy_compression(replace(image, metadata=lossy)) == "JPEG 2000"
    unnamed = replace(image, metadata={"LossyImageCompression": "01"})
    assert lossy_compression(unnamed) == "lossy"
