"""A tile asked for is checked against 4 times the overlap the run uses (the one asked for,
rounded up to the network's size multiple), before the run and by the run, in words that
name that overlap; a NumPy float is a strength as a float is."""

import numpy as np
import pytest

from core.denoise.pipeline import denoise_image, planned_tiles
from core.denoise.settings import DenoiseSettings
from core.denoise.tiling import check_tile_size

ROUNDED = (
    r"^tile size 72 must be at least 4 x the tile overlap 20 \(17 rounded up to a multiple of 4, "
    r"the network's size multiple\), 80: raise the tile size or lower the overlap$"
)


def test_planned_tiles_refuses_a_tile_under_4_x_the_rounded_overlap(tiny_model):
    settings = DenoiseSettings(device="cpu", tile_size=72, tile_overlap=17)  # 72 >= 4 x 17
    with pytest.raises(ValueError, match=ROUNDED):
        planned_tiles(tiny_model, settings)
    assert planned_tiles(tiny_model, DenoiseSettings(tile_size=80, tile_overlap=17)) == (
        "tile 80 overlap 20"
    )


def test_the_run_refuses_it_in_the_same_words(tiny_model, noisy_phantom):
    settings = DenoiseSettings(device="cpu", views=1, tile_size=72, tile_overlap=17)
    with pytest.raises(ValueError, match=ROUNDED):
        denoise_image(noisy_phantom, tiny_model, settings)


def test_an_overlap_not_rounded_is_named_once(tiny_model):
    with pytest.raises(
        ValueError,
        match=r"^tile size 64 must be at least 4 x the tile overlap "
        r"20, 80: raise",
    ):
        check_tile_size(tiny_model, 64, overlap=20)
    check_tile_size(tiny_model, 80, overlap=20)


@pytest.mark.parametrize("strength", [np.float32(1.0), np.float64(0.8), np.int64(2)])
def test_a_numpy_strength_is_taken_as_a_float(strength):
    settings = DenoiseSettings(strength=strength)
    assert type(settings.strength) is float
    assert settings.strength == float(strength)
    assert "strength" in settings.describe()


@pytest.mark.parametrize("strength", [True, "1", np.float32("nan"), None])
def test_a_strength_that_is_no_real_number_is_refused(strength):
    with pytest.raises(ValueError, match="strength must be a number > 0"):
        DenoiseSettings(strength=strength)
