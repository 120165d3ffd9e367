"""Every bit of a seed counts: a CPU generator keeps only a seed's low 32 bits, so a seed of
2**32 or more is folded to 32 bits by a hash of all of them (``torch_seed``), while a seed
below 2**32 gives the noise it always gave; the noise is drawn on the CPU, so that a seed
gives the same noise on every device."""

import numpy as np
import pytest
import torch

from core.denoise.explain import forward_process, generate_demo
from core.denoise.pipeline import _uncertainty_seeds, denoise_image
from core.denoise.settings import MAX_SEED, DenoiseSettings
from core.diffusion.sampler import reverse_step, seeded_generator, torch_seed

HIGH = 2**32 + 5
"""A seed whose low 32 bits are 5's."""


def _ddpm(image, model, seed, **settings):
    settings = DenoiseSettings(
        device="cpu", views=1, sampler="ddpm", n_steps=3, seed=seed, **settings
    )
    return denoise_image(image, model, settings)


def test_seeds_below_2_32_are_given_to_torch_as_they_are():
    for seed in (0, 1, 5, 2**31, 2**32 - 1):
        assert torch_seed(seed) == seed
        expected = torch.randn(8, generator=torch.Generator().manual_seed(seed))
        assert torch.equal(torch.randn(8, generator=seeded_generator(seed)), expected)


def test_larger_seeds_are_folded_to_32_bits_all_their_bits_counting():
    folded = [torch_seed(seed) for seed in (2**32, HIGH, 2**33 + 5, 2**63 + 5, MAX_SEED)]
    assert all(0 <= value < 2**32 for value in folded)
    assert len(set(folded)) == len(folded)
    assert HIGH % 2**32 not in folded  # not the low bits, which torch would keep
    assert torch_seed(np.uint64(HIGH)) == torch_seed(HIGH)


def test_a_ddpm_denoise_of_a_seed_above_2_32_differs_from_its_low_bits(tiny_model, noisy_phantom):
    low = _ddpm(noisy_phantom, tiny_model, 5).image.pixels
    high = _ddpm(noisy_phantom, tiny_model, HIGH).image.pixels
    assert not np.array_equal(low, high)
    assert np.array_equal(_ddpm(noisy_phantom, tiny_model, HIGH).image.pixels, high)


def test_the_uncertainty_seeds_are_of_32_bits_as_before():
    seeds = _uncertainty_seeds(HIGH, 4)
    assert all(0 <= seed < 2**32 for seed in seeds)
    old = np.random.SeedSequence(HIGH).spawn(4)  # the 64-bit seeds torch cut to their low bits
    assert seeds == [int(child.generate_state(1, dtype=np.uint64)[0]) % 2**32 for child in old]


def test_the_forward_process_and_generation_of_a_seed_above_2_32_differ(tiny_model, noisy_phantom):
    low = forward_process(noisy_phantom, tiny_model, 300.0, seed=5)
    assert not np.array_equal(low, forward_process(noisy_phantom, tiny_model, 300.0, seed=HIGH))
    for sampler in ("ddim", "ddpm"):
        runs = [
            list(generate_demo(tiny_model, (16, 16), n_steps=2, seed=seed, sampler=sampler))
            for seed in (5, HIGH)
        ]
        assert not np.array_equal(runs[0][-1].x_t, runs[1][-1].x_t)


def test_the_step_noise_is_drawn_on_the_generators_device_and_moved(tiny_model, monkeypatch):
    """A CPU generator serves a state on another device (here PyTorch's 'meta')."""
    drawn_on = []
    randn = torch.randn

    def recorded(*args, **kwargs):
        drawn_on.append(torch.device(kwargs.get("device") or "cpu"))
        return randn(*args, **kwargs)

    monkeypatch.setattr(torch, "randn", recorded)
    x = torch.zeros(1, 1, 8, 8, device="meta")
    x_s, _ = reverse_step(
        tiny_model,
        x,
        torch.zeros_like(x),
        t=500.0,
        s=250.0,
        eta=1.0,
        generator=seeded_generator(0),
    )
    assert drawn_on == [torch.device("cpu")]
    assert x_s.device.type == "meta"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_ddpm_denoise_in_float32_agrees_between_cuda_and_the_cpu(tiny_model, noisy_phantom):
    runs = []
    for device in ("cpu", "cuda"):
        settings = DenoiseSettings(
            device=device,
            precision="float32",
            views=1,
            sampler="ddpm",
            n_steps=4,
            seed=HIGH,
            n_uncertainty_samples=2,
            uncertainty_steps=2,
        )
        runs.append(denoise_image(noisy_phantom, tiny_model, settings))  # moved there
    np.testing.assert_allclose(runs[0].image.pixels, runs[1].image.pixels, atol=2)
    np.testing.assert_allclose(runs[0].uncertainty, runs[1].uncertainty, atol=2)
