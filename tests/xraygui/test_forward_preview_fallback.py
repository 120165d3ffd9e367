"""The forward process is shown for any image, and its label names the image it starts from."""

import numpy as np
import pytest

from core.image import Padding, StoredMapping, Window, XrayImage
from core.io import write_new_dicom
from xraygui.jobs import ForwardPreview

pytestmark = pytest.mark.gui


def stored_image(stored, *, padding=None):
    return XrayImage(
        stored.astype(np.float32),
        StoredMapping(bits_stored=12),
        Window(2048, 4096),
        photometric="MONOCHROME2",
        padding=None if padding is None else Padding.from_stored(stored, padding, padding),
    )


CONSTANT = np.full((48, 40), 2048, np.uint16)
TINY = np.random.default_rng(0).integers(1000, 3000, (5, 7)).astype(np.uint16)
ALL_PADDING = np.full((32, 32), 4095, np.uint16)


@pytest.mark.parametrize(
    ("stored", "padding"), [(CONSTANT, None), (TINY, None), (ALL_PADDING, 4095)]
)
def test_an_image_whose_noise_cannot_be_estimated_is_shown_noised(tiny_model_path, stored, padding):
    image = stored_image(stored, padding=padding)
    preview = ForwardPreview(image, tiny_model_path, source="the original image")
    pixels, sigma = preview.at(500.0, seed=0)
    assert pixels.shape == image.shape and np.isfinite(pixels).all()
    assert 0 <= pixels.min() and pixels.max() <= 4095
    if padding is None:
        assert pixels.std() > 0  # noised, not left as it was
    else:
        assert np.array_equal(pixels, image.pixels)  # padding stays as it was
    assert sigma > 0


def test_the_label_names_the_image_the_process_starts_from(tiny_model_path):
    preview = ForwardPreview(stored_image(CONSTANT), tiny_model_path, source="the original image")
    label = preview.label(500, 1.25)
    assert label.startswith("forward q(x_t | x_0), x_0 = the original image:")
    assert label.endswith("t = 500   x_t = 0.625 x_0 + 0.781 eps (model units)")
    assert "x_0 = the image:" in ForwardPreview(stored_image(TINY), tiny_model_path).label(0, 0)


def test_forward_mode_shows_a_constant_image_instead_of_refusing(window, tmp_path):
    path = tmp_path / "constant.dcm"
    write_new_dicom(CONSTANT, path, photometric="MONOCHROME2", bits_stored=12)
    window.open_file(path)
    window.timeline.set_mode("forward")
    window.timeline.slider.setValue(500)
    assert window.timeline.label.text().startswith("forward q(x_t | x_0)")
    assert window.views.panes["after"].image_item.image is not None
