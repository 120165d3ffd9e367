"""The denoise's network precision: float32 as before, bfloat16 on an AMX CPU, recorded."""

import numpy as np
import pytest
import torch

from core.denoise import DenoiseSettings, denoise_image
from core.denoise.tiling import TiledEvaluator
from core.device import cpu_has_amx
from core.noise import phantom_image

# The pipeline's output before precision was a setting (commit fd187b5, float32 on the CPU):
# the tiny model with every parameter ~ 0.1 N(0, 1) from seed 0, the 96 px phantom of seed 2
# plus 0.25 (off the stored grid, so the result is not rounded), 64 px tiles overlapping by 8.
# Columns: settings, sum of the result's pixels, pixels [40, 50] and [70, 20].
GOLDEN_FLOAT32 = [
    ({"views": 2}, 12140815.248462807, 2520.23388671875, 1938.3048095703125),
    (
        {"sampler": "ddpm", "n_steps": 3, "seed": 5, "views": 1},
        12141288.888695076,
        2549.092529296875,
        1918.6650390625,
    ),
]

AGREEMENT = 0.01
"""Largest difference of a bfloat16 result from the float32 one, in noise sigmas of the
input (measured: 0.0015 with 2 views, 0.0024 with 3 DDPM steps)."""


@pytest.fixture
def off_grid(make_image):
    return make_image(phantom_image((96, 96), seed=2, photons_per_pixel=3000) + np.float32(0.25))


def _settings(**changes):
    return DenoiseSettings(device="cpu", tile_size=64, tile_overlap=8, **changes)


@pytest.mark.parametrize(("changes", "total", "pixel", "other"), GOLDEN_FLOAT32)
def test_float32_reproduces_the_pipelines_output_of_before(
    tiny_model, off_grid, changes, total, pixel, other
):
    result = denoise_image(off_grid, tiny_model, _settings(precision="float32", **changes))
    pixels = result.image.pixels
    # rel 1e-7 of the sum is 1.2 grey levels over 9,216 pixels: a bfloat16 network moves it
    # by 68 (tested below), a float32 one on another CPU by far less than 1.
    assert pixels.sum(dtype=np.float64) == pytest.approx(total, rel=1e-7)
    assert pixels[40, 50] == pytest.approx(pixel, abs=2e-3)
    assert pixels[70, 20] == pytest.approx(other, abs=2e-3)
    assert result.precision == "float32 on CPU"


@pytest.mark.skipif(not cpu_has_amx(), reason="this CPU has no AMX: auto stays float32 on it")
@pytest.mark.parametrize("changes", [changes for changes, *_ in GOLDEN_FLOAT32])
def test_auto_runs_bfloat16_on_an_amx_cpu_and_agrees_with_float32(tiny_model, off_grid, changes):
    exact = denoise_image(off_grid, tiny_model, _settings(precision="float32", **changes))
    fast = denoise_image(off_grid, tiny_model, _settings(**changes))
    assert fast.precision == "bfloat16 on CPU"
    difference = np.abs(fast.image.pixels.astype(np.float64) - exact.image.pixels)
    assert 0 < difference.max() < AGREEMENT * exact.noise_before.sigma
    assert fast.image.pixels.dtype == np.float32


def test_only_the_network_runs_in_bfloat16_and_eps_comes_back_float32(tiny_model):
    seen = []
    tiny_model.network.register_forward_hook(lambda module, args, out: seen.append(out.dtype))
    x = torch.randn(1, 1, 80, 72, generator=torch.Generator().manual_seed(0))
    for dtype in (torch.bfloat16, torch.float32):
        evaluator = TiledEvaluator(tiny_model, tile=64, overlap=8, dtype=dtype)
        run = evaluator.evaluate(x, 300.0, lambda done, calls: None)
        with pytest.raises(StopIteration) as end:
            while True:
                next(run)
        assert end.value.value.dtype == torch.float32
    assert seen == [torch.bfloat16] * 4 + [torch.float32] * 4  # 2 x 2 tiles each


def test_the_description_and_summary_name_the_precision_used(tiny_model, off_grid):
    result = denoise_image(off_grid, tiny_model, _settings(precision="float32"))
    assert "DDIM, 1 step, strength 1, 2 views, float32 on CPU; noise" in result.description()
    assert result.summary()["precision"] == "float32 on CPU"
    assert result.settings.describe() == "DDIM, 1 step, strength 1, 2 views"  # as it was


@pytest.mark.parametrize("bad", ["half", "bfloat16", "FLOAT32", None])
def test_a_precision_other_than_auto_or_float32_is_refused(bad):
    with pytest.raises(ValueError, match=r"^precision must be 'auto' or 'float32', got "):
        DenoiseSettings(precision=bad)
    assert DenoiseSettings().precision == "auto"
