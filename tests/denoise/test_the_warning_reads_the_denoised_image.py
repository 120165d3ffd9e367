"""The low-quanta warning of a denoise reads the denoised values, not the noisy input's:
the bias it warns of is the denoised image's."""

from core.denoise import DenoiseSettings, denoise_image
from core.denoise.low_quanta import low_quanta_warning, quanta_detectors
from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image


def test_the_results_warning_is_the_reading_of_the_result_not_of_the_input(tiny_model):
    stored = phantom_image((96, 96), photons_per_pixel=200, seed=1)
    image = XrayImage(stored.astype("float32"), StoredMapping(12), Window(2048, 4096))
    result = denoise_image(image, tiny_model, DenoiseSettings(views=1))
    detectors = quanta_detectors(image, result.noise_before)
    of_result = low_quanta_warning(result.image, image, detectors)
    of_input = low_quanta_warning(image, image, detectors)
    assert of_result is not None and of_input is not None
    assert of_result != of_input  # the two readings differ here...
    assert result.low_quanta == of_result  # ...and the result's is the result's
