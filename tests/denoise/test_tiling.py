import numpy as np
import pytest
import torch

from core.denoise import DenoiseSettings, TileProgress, denoise_image, denoise_steps
from core.denoise.tiling import TiledEvaluator, auto_tiling, is_out_of_memory, plan_tiles
from core.diffusion.model import DiffusionModel
from core.errors import XrayError


@pytest.mark.parametrize(
    ("shape", "tile", "overlap", "multiple"),
    [((96, 96), 32, 8, 4), ((100, 37), 32, 8, 4), ((130, 257), 64, 16, 16), ((20, 20), 64, 16, 4)],
)
def test_tiles_cover_the_image_with_weights_summing_to_one(shape, tile, overlap, multiple):
    total = np.zeros(shape)
    tiles = plan_tiles(shape, tile, overlap, multiple)
    for t in tiles:
        assert t.rows.start % multiple == 0 and t.cols.start % multiple == 0
        assert t.weights.shape == (t.rows.stop - t.rows.start, t.cols.stop - t.cols.start)
        assert max(t.weights.shape) <= max(tile, *shape) and np.all(t.weights > 0)
        total[t.rows, t.cols] += t.weights
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


def test_tiled_equals_untiled(tiny_model, noisy_phantom):
    settings = {"n_steps": 2, "device": "cpu"}
    whole = denoise_image(noisy_phantom, tiny_model, DenoiseSettings(**settings))
    tiled = denoise_image(
        noisy_phantom, tiny_model, DenoiseSettings(tile_size=64, tile_overlap=16, **settings)
    )
    difference = np.abs(tiled.image.pixels - whole.image.pixels)
    # The tiny network's receptive field reaches past the 16-pixel ramps, so not exact;
    # the seams stay far below the noise (sigma ~ 60 here).
    assert difference.max() < 0.02 * whole.noise_before.sigma
    assert np.sqrt(np.mean(difference**2)) < 0.002 * whole.noise_before.sigma


class _FailingAbove(torch.nn.Module):
    """Wraps a network; raises an error for tiles larger than a side."""

    def __init__(
        self, network, side, error=torch.cuda.OutOfMemoryError, message="Tried to allocate 2.00 GiB"
    ):
        super().__init__()
        self.inner, self.side, self.config = network, side, network.config
        self.error, self.message = error, message
        self.sides_seen: list[int] = []

    def forward(self, x, t):
        self.sides_seen.append(max(x.shape[-2:]))
        if max(x.shape[-2:]) > self.side:
            raise self.error(self.message)
        return self.inner(x, t)


def test_out_of_memory_retries_with_smaller_tiles(tiny_model, noisy_phantom):
    small = denoise_image(
        noisy_phantom,
        tiny_model,
        DenoiseSettings(tile_size=64, tile_overlap=8, device="cpu", views=1),
    )
    network = _FailingAbove(tiny_model.network, side=64)
    failing = DiffusionModel(network, tiny_model.schedule)
    settings = DenoiseSettings(tile_size=128, tile_overlap=8, device="cpu", views=1)
    events = list(denoise_steps(noisy_phantom, failing, settings))
    assert network.sides_seen[0] == 96 and max(network.sides_seen[1:]) <= 64
    assert {e.n_tiles for e in events if isinstance(e, TileProgress) and e.step > 0} == {4}
    np.testing.assert_array_equal(events[-1].image.pixels, small.image.pixels)


@pytest.mark.parametrize(
    "message", ["CUDA out of memory", "DefaultCPUAllocator: can't allocate memory"]
)
def test_out_of_memory_at_the_smallest_tile_is_a_clear_error(tiny_model, noisy_phantom, message):
    network = _FailingAbove(tiny_model.network, side=16, error=RuntimeError, message=message)
    failing = DiffusionModel(network, tiny_model.schedule)
    with pytest.raises(XrayError, match="not enough memory"):
        denoise_image(
            noisy_phantom, failing, DenoiseSettings(tile_size=128, tile_overlap=8, device="cpu")
        )
    assert network.sides_seen == [96, 52]  # whole image, then 64-pixel tiles (52 + 52 - 8)


class _FailingBatchAbove(torch.nn.Module):
    """Wraps a network; runs out of memory on calls of more than ``most`` tiles."""

    def __init__(self, network, most):
        super().__init__()
        self.inner, self.most, self.config = network, most, network.config
        self.batches_seen: list[int] = []

    def forward(self, x, t):
        self.batches_seen.append(x.shape[0])
        if x.shape[0] > self.most:
            raise torch.cuda.OutOfMemoryError("Tried to allocate 2.00 GiB")
        return self.inner(x, t)


def test_out_of_memory_halves_the_batch_of_a_call_of_several_tiles(tiny_model, drain):
    x = torch.randn(1, 1, 96, 96, generator=torch.Generator().manual_seed(0))
    network = _FailingBatchAbove(tiny_model.network, most=2)
    evaluator = TiledEvaluator(
        DiffusionModel(network, tiny_model.schedule), tile=64, overlap=8, batch=8
    )
    eps = drain(evaluator.evaluate(x, 5.0, lambda done, n: done))
    # Four 52-pixel tiles: a call of 4 fails, the batch drops to 2 and the tile stays.
    assert network.batches_seen == [4, 2, 2] and evaluator.batch == 2 and evaluator.tile == 64
    one_by_one = TiledEvaluator(tiny_model, tile=64, overlap=8, batch=1)
    expected = drain(one_by_one.evaluate(x, 5.0, lambda done, n: done))
    torch.testing.assert_close(eps, expected)


def test_out_of_memory_on_a_single_tile_shrinks_the_tile_not_the_batch(tiny_model, drain):
    network = _FailingAbove(tiny_model.network, side=64)
    evaluator = TiledEvaluator(
        DiffusionModel(network, tiny_model.schedule), tile=128, overlap=8, batch=8
    )
    drain(evaluator.evaluate(torch.zeros(1, 1, 96, 96), 5.0, lambda done, n: done))
    assert network.sides_seen[:2] == [96, 52] and (evaluator.tile, evaluator.batch) == (64, 8)


def test_out_of_memory_halves_the_tile_one_step_at_a_time(tiny_model, drain):
    network = _FailingAbove(tiny_model.network, side=128)
    evaluator = TiledEvaluator(
        DiffusionModel(network, tiny_model.schedule), tile=512, overlap=8, batch=1
    )
    tried = []  # the evaluator's tile side at each network call
    network.register_forward_pre_hook(lambda *_: tried.append(evaluator.tile))
    drain(evaluator.evaluate(torch.zeros(1, 1, 520, 520), 5.0, lambda done, n: done))
    assert list(dict.fromkeys(tried)) == [512, 256, 128] and evaluator.tile == 128
    # 264-pixel tiles fail, then 180-pixel ones, and tiles of at most 112 pixels run.
    assert network.sides_seen[:2] == [264, 180] and max(network.sides_seen[2:]) == 112


def test_other_runtime_errors_are_not_retried(tiny_model):
    network = _FailingAbove(tiny_model.network, side=16, error=RuntimeError, message="cuDNN error")
    evaluator = TiledEvaluator(DiffusionModel(network, tiny_model.schedule), tile=64, overlap=8)
    with pytest.raises(RuntimeError, match="cuDNN error") as caught:
        list(evaluator.evaluate(torch.zeros(1, 1, 96, 96), 5.0, lambda done, n: done))
    assert not is_out_of_memory(caught.value)
    assert len(network.sides_seen) == 1 and evaluator.tile == 64


def test_cpu_tiles_are_bounded_for_time_and_memory(tiny_model):
    tile, batch = auto_tiling(tiny_model, torch.device("cpu"), overlap=64)
    assert batch == 1 and 256 <= tile <= 768 and tile % 4 == 0


@pytest.mark.parametrize(
    "error",
    [
        torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
        RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 8 bytes"),
        RuntimeError(  # Windows
            "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough "
            "memory: you tried to allocate 8589934592 bytes."
        ),
        RuntimeError("MPS backend out of memory (MPS allocated: 17.00 GB)"),
    ],
)
def test_every_system_s_allocation_failure_is_recognised(error):
    assert is_out_of_memory(error)


def test_other_errors_are_not_allocation_failures():
    assert not is_out_of_memory(RuntimeError("shape mismatch"))
    assert not is_out_of_memory(ValueError("not enough memory"))
