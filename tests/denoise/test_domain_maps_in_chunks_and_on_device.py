"""The map to the model domain and back, now chunked (CPU) or on the GPU, gives today's bits."""

import numpy as np
import pytest
import torch
from test_table_fast_lookup import replaced_read  # the table read before it was sped up

from core.denoise.domain import CHUNK, ModelDomain, estimate_image_noise, on_device
from core.noise import phantom_image


def replaced_to_model(domain: ModelDomain, pixels: np.ndarray) -> np.ndarray:
    """``to_model`` as it was: whole-image passes."""
    return (replaced_read(domain._forward, pixels) * domain.scale + domain.offset).astype(
        np.float32
    )


def replaced_to_pixels(domain: ModelDomain, values: np.ndarray, estimate: bool) -> np.ndarray:
    """``to_pixels`` as it was: whole-image passes."""
    stabilised = (np.asarray(values, dtype=np.float64) - domain.offset) / domain.scale
    if estimate:
        pixels = replaced_read(domain._inverse, stabilised)
    else:
        clipped = np.clip(stabilised, *domain._noisy_range)
        pixels = replaced_read(domain._algebraic, clipped)
    if domain.pixel_range is not None:
        pixels = np.clip(pixels, *domain.pixel_range)
    return pixels.astype(np.float32)


@pytest.fixture(scope="module")
def phantom_and_domain(make_image):
    # 300 x 300 pixels: more than one chunk, the last one partial
    image = make_image(phantom_image((300, 300), seed=4, photons_per_pixel=2000))
    assert image.pixels.size > CHUNK and image.pixels.size % CHUNK
    return image, ModelDomain.from_image(image, estimate_image_noise(image))


def model_values(domain: ModelDomain, image) -> np.ndarray:
    """Model-domain values around the image's, some far beyond what any pixel maps to."""
    model = replaced_to_model(domain, image.pixels)
    spread = np.linspace(-2.5, 2.5, model.size, dtype=np.float32).reshape(model.shape)
    return np.concatenate([model, model * 1.7 - 0.4, spread])


def test_to_model_in_chunks_equals_the_whole_image_map(phantom_and_domain):
    image, domain = phantom_and_domain
    model = domain.to_model(image.pixels)
    assert model.dtype == np.float32 and model.shape == image.pixels.shape
    assert np.array_equal(model, replaced_to_model(domain, image.pixels))


@pytest.mark.parametrize("estimate", [True, False])
def test_to_pixels_in_chunks_equals_the_whole_image_map(phantom_and_domain, estimate):
    image, domain = phantom_and_domain
    values = model_values(domain, image)
    pixels = domain.to_pixels(values, estimate=estimate)
    assert pixels.dtype == np.float32 and pixels.shape == values.shape
    assert np.array_equal(pixels, replaced_to_pixels(domain, values, estimate))
    one = domain.to_pixels(np.array(values[5, 7]), estimate=estimate)
    assert np.ndim(one) == 0 and one == pixels[5, 7]


def test_cpu_tensors_are_mapped_as_arrays(phantom_and_domain):
    image, domain = phantom_and_domain
    assert not on_device(torch.device("cpu"))
    model = domain.to_model(image.pixels, device=torch.device("cpu"))
    assert isinstance(model, torch.Tensor) and model.dtype == torch.float32
    assert np.array_equal(model.numpy(), domain.to_model(image.pixels))
    values = model_values(domain, image)
    for estimate in (True, False):
        pixels = domain.to_pixels(torch.from_numpy(values), estimate=estimate)
        assert isinstance(pixels, np.ndarray)
        assert np.array_equal(pixels, domain.to_pixels(values, estimate=estimate))


@pytest.mark.parametrize("estimate", [True, False])
def test_the_torch_map_a_gpu_runs_gives_the_same_bits(phantom_and_domain, estimate):
    """The steps taken on a CUDA device, run here with torch on the CPU."""
    image, domain = phantom_and_domain
    forward = domain._forward(torch.from_numpy(image.pixels))
    model = forward.mul_(domain.scale).add_(domain.offset).to(torch.float32)
    assert np.array_equal(model.numpy(), domain.to_model(image.pixels))
    values = model_values(domain, image)
    pixels = domain._tensor_to_pixels(torch.from_numpy(values), estimate=estimate)
    assert np.array_equal(pixels.numpy(), domain.to_pixels(values, estimate=estimate))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("estimate", [True, False])
def test_on_a_cuda_device_the_maps_run_there_to_the_same_bits(phantom_and_domain, estimate):
    image, domain = phantom_and_domain
    cuda = torch.device("cuda")
    assert on_device(cuda)
    model = domain.to_model(image.pixels, device=cuda)
    assert model.device.type == "cuda"
    assert np.array_equal(model.cpu().numpy(), domain.to_model(image.pixels))
    values = model_values(domain, image)
    pixels = domain.to_pixels(torch.from_numpy(values).to(cuda), estimate=estimate)
    assert np.array_equal(pixels, domain.to_pixels(values, estimate=estimate))
