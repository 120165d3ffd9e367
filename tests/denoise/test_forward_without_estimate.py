"""The forward process needs no noise estimate: it runs on images whose noise cannot be measured."""

from dataclasses import replace

import numpy as np
import pytest

from core.denoise import ModelDomain, estimate_image_noise, forward_process
from core.denoise.explain import forward_domain
from core.image import Padding


def test_a_measurable_image_gets_the_denoisers_map(noisy_phantom):
    expected = ModelDomain.from_image(noisy_phantom, estimate_image_noise(noisy_phantom))
    domain = forward_domain(noisy_phantom)
    assert (domain.scale, domain.offset) == (expected.scale, expected.offset)


def constant(make_image):
    return make_image(np.full((64, 64), 2048.0), bits=16)  # 12-bit data in 16 bits


def tiny(make_image):
    return make_image(np.random.default_rng(0).normal(1000.0, 20.0, (5, 7)).round())


def all_padding(make_image):
    stored = np.zeros((32, 32), dtype=np.int64)
    return replace(make_image(stored), padding=Padding.from_stored(stored, 0, 0))


@pytest.mark.parametrize("build", [constant, tiny, all_padding])
def test_an_image_without_a_noise_estimate_fades_into_noise(tiny_model, make_image, build):
    image = build(make_image)
    with pytest.raises(ValueError, match="cannot estimate the noise"):
        estimate_image_noise(image)
    start = forward_process(image, tiny_model, 0.0, seed=1)
    np.testing.assert_allclose(start, image.pixels, atol=0.05)
    end = forward_process(image, tiny_model, 1000.0, seed=1)
    assert end.shape == image.shape and np.all(np.isfinite(end))
    if image.padding is None:
        assert end.std() > 100  # noise spread over the data's range, not a flat grey
    else:
        np.testing.assert_array_equal(end, image.pixels)  # padding stays as read


def test_the_fallback_maps_the_datas_range_onto_the_models(make_image):
    domain = ModelDomain.of_value_range(constant(make_image))
    ends = domain.to_model(np.array([0.0, 2047.5, 4095.0]))
    np.testing.assert_allclose(ends, [-0.9, 0.0, 0.9], atol=1e-5)
    np.testing.assert_allclose(domain.to_pixels(np.array([-5.0, 5.0])), [0.0, 4095.0])
