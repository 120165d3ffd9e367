"""In float32 the tile is 512 on every device, so that float32 results agree across machines.

The tile changes the result. Before, a float32 run took its tile from the device's free
memory like any other: at most 512 on a CPU (less where memory was short), the whole
image up to 2048 on a GPU with memory to spare, and ``--precision float32``'s promise of
results that agree across machines did not hold above 512 px.
"""

import pytest
import torch

import core.denoise.tiling as tiling
from core.denoise import DenoiseSettings, denoise_image, pipeline

GIB = 2**30


@pytest.fixture
def free_memory(monkeypatch):
    """Make every device report ``bytes`` free."""

    def set_free(bytes_free: float) -> None:
        monkeypatch.setattr(tiling, "free_memory_bytes", lambda device: bytes_free)

    return set_free


@pytest.mark.parametrize(("device", "free"), [("cpu", 16 * 2**20), ("cpu", 64 * GIB)])
def test_float32_takes_512_whatever_the_cpu_s_free_memory(
    tiny_model, noisy_phantom, free_memory, device, free
):
    free_memory(free)
    settings = DenoiseSettings(precision="float32", tile_overlap=8, device=device, views=1)
    assert denoise_image(noisy_phantom, tiny_model, settings).tile_sizes == (512,)


def test_auto_precision_still_takes_the_tile_from_the_free_memory(
    tiny_model, noisy_phantom, free_memory
):
    free_memory(16 * 2**20)  # a 4 MiB budget: tiles of 180 for the tiny network
    settings = DenoiseSettings(tile_overlap=8, device="cpu", views=1)
    assert denoise_image(noisy_phantom, tiny_model, settings).tile_sizes == (180,)


def test_float32_on_a_gpu_with_memory_to_spare_takes_the_cpu_s_tile(tiny_model, free_memory):
    free_memory(40 * GIB)
    gpu = torch.device("cuda")
    tile, _ = pipeline._tiling(tiny_model, gpu, DenoiseSettings(precision="float32"), torch.float32)
    auto, _ = pipeline._tiling(tiny_model, gpu, DenoiseSettings(), torch.float16)
    assert (tile, auto) == (512, tiling.GPU_MAX_TILE)


def test_a_tile_asked_for_is_taken_in_float32_too(tiny_model, noisy_phantom):
    settings = DenoiseSettings(
        precision="float32", tile_size=64, tile_overlap=8, device="cpu", views=1
    )
    assert denoise_image(noisy_phantom, tiny_model, settings).tile_sizes == (64,)


def test_float32_s_tile_is_at_least_four_overlaps(tiny_model):
    assert tiling.fixed_tile(tiny_model, overlap=64) == 512
    assert tiling.fixed_tile(tiny_model, overlap=150) == 608  # 4 x 152, the multiple of 4
