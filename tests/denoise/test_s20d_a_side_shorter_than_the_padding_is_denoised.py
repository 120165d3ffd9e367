"""A side no longer than the network's padding (a strip narrower than half its size multiple,
or the last tile of a row) is padded by repetition, not refused by torch's reflection; no
tile is narrower than the size multiple."""

import numpy as np
import pytest

from core.denoise.explain import generate_demo
from core.denoise.pipeline import denoise_image
from core.denoise.settings import DenoiseSettings
from core.denoise.tiling import _axis_tiles, plan_tiles
from core.diffusion.model import DiffusionModel
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig

DEEP = UNetConfig(base_channels=8, channel_mult=(1, 2, 2, 2, 2), blocks_per_level=1, groups=4)
"""Five levels: a size multiple of 32, so a side of 12 px is padded by 20."""


@pytest.fixture
def deep_model():
    return DiffusionModel(UNet(DEEP).eval(), NoiseSchedule())


def _noisy(shape, make_image):
    rng = np.random.default_rng(0)
    return make_image(np.round(2000 + rng.normal(0, 30, shape)))


def test_a_strip_thinner_than_the_padding_is_denoised(deep_model, make_image):
    assert DEEP.size_multiple == 32
    image = _noisy((12, 300), make_image)
    result = denoise_image(image, deep_model, DenoiseSettings(device="cpu", views=1))
    assert result.image.pixels.shape == (12, 300)
    assert np.isfinite(result.image.pixels).all()


def test_an_image_generated_smaller_than_the_padding(deep_model):
    states = list(generate_demo(deep_model, (8, 64), n_steps=1, seed=0))
    assert states[-1].x_t.shape == (8, 64)
    assert np.isfinite(states[-1].x_t).all()


def test_a_last_tile_of_2_px_without_overlap_starts_earlier(deep_model, make_image):
    image = _noisy((100, 194), make_image)
    settings = DenoiseSettings(device="cpu", views=1, tile_size=64, tile_overlap=0)
    result = denoise_image(image, deep_model, settings)
    assert result.tile_sizes == (64,)
    assert np.isfinite(result.image.pixels).all()


@pytest.mark.parametrize("multiple", [1, 4, 16, 32])
@pytest.mark.parametrize("overlap_in_multiples", [0, 1, 2])
def test_no_tile_is_narrower_than_the_size_multiple(multiple, overlap_in_multiples):
    overlap = overlap_in_multiples * multiple
    tile = max(64, 4 * overlap)
    for length in range(tile + 1, 4 * tile + 2 * multiple):
        tiles = _axis_tiles(length, tile, overlap, multiple)
        total = np.zeros(length)
        for span, weights in tiles:
            assert span.stop - span.start >= multiple, (length, span)
            assert span.start % multiple == 0 and span.start >= 0
            assert len(weights) == span.stop - span.start
            total[span] += weights
        np.testing.assert_allclose(total, 1.0)


def test_the_pixels_a_last_tile_gains_weigh_nothing():
    tiles = plan_tiles((100, 194), 64, 0, 16)
    last = tiles[-1]
    assert (last.cols.start, last.cols.stop) == (176, 194)  # was 192 to 194
    assert (last.weights[:, :16] == 0).all() and (last.weights[:, 16:] == 1).all()
