"""The tile size changes the result, so the result records the tile and overlap it used.

Before, neither :class:`DenoiseResult` nor its description or summary named them, and an
out-of-memory retry halved the tile without a trace: a 1024 px radiograph denoised in
tiles of 512 (a CPU's) and of 1024 (a GPU's) differed in 20 % of its pixels, by up to 10
stored values, under the same description.
"""

import json

import numpy as np
import pytest
import torch

from core.denoise import DenoiseSettings, denoise_image
from core.diffusion.model import DiffusionModel


def test_the_tile_and_the_overlap_used_are_in_the_result(tiny_model, noisy_phantom):
    settings = DenoiseSettings(tile_size=64, tile_overlap=6, device="cpu", views=1)
    result = denoise_image(noisy_phantom, tiny_model, settings)
    # The overlap used is rounded up to the tiny network's size multiple, 4.
    assert (result.tile_sizes, result.tile_overlap) == ((64,), 8)
    assert "; tile 64 overlap 8; " in result.description()
    summary = json.loads(json.dumps(result.summary()))
    assert (summary["tile_sizes"], summary["tile_overlap"]) == ([64], 8)


def test_results_of_other_tiles_read_differently(tiny_model, noisy_phantom):
    def run(tile):
        settings = DenoiseSettings(tile_size=tile, tile_overlap=8, device="cpu", views=1)
        return denoise_image(noisy_phantom, tiny_model, settings)

    tiled, whole = run(64), run(128)  # four tiles of 52 px, and the 96 px image in one
    assert not np.array_equal(tiled.image.pixels, whole.image.pixels)
    assert "tile 64 overlap 8" in tiled.description()
    assert "tile 128 overlap 8" in whole.description()


class _OutOfMemoryLater(torch.nn.Module):
    """Wraps a network; from call ``after`` on, runs out of memory on tiles over ``side``."""

    def __init__(self, network, *, after, side):
        super().__init__()
        self.inner, self.config = network, network.config
        self.after, self.side, self.calls = after, side, 0

    def forward(self, x, t):
        self.calls += 1
        if self.calls > self.after and max(x.shape[-2:]) > self.side:
            raise torch.cuda.OutOfMemoryError("Tried to allocate 2.00 GiB")
        return self.inner(x, t)


def test_a_tile_halved_for_memory_during_the_denoise_is_recorded(tiny_model, noisy_phantom):
    network = _OutOfMemoryLater(tiny_model.network, after=1, side=64)
    model = DiffusionModel(network, tiny_model.schedule)
    settings = DenoiseSettings(n_steps=2, tile_size=128, tile_overlap=8, device="cpu", views=1)
    result = denoise_image(noisy_phantom, model, settings)
    # Step 1 ran in one tile of 128, step 2 in tiles of 64.
    assert result.tile_sizes == (128, 64)
    assert "; tile 128 then 64 overlap 8; " in result.description()
    assert result.summary()["tile_sizes"] == [128, 64]


@pytest.mark.parametrize("views", [1, 2])
def test_a_tile_halved_only_in_the_uncertainty_samples_is_not_the_denoise_s(
    tiny_model, noisy_phantom, views
):
    # The denoise makes `views` network calls (1 step), then the samples run out of memory.
    network = _OutOfMemoryLater(tiny_model.network, after=views, side=64)
    model = DiffusionModel(network, tiny_model.schedule)
    settings = DenoiseSettings(
        tile_size=128,
        tile_overlap=8,
        device="cpu",
        views=views,
        n_uncertainty_samples=2,
        uncertainty_steps=2,
    )
    result = denoise_image(noisy_phantom, model, settings)
    assert result.tile_sizes == (128,) and result.uncertainty is not None
