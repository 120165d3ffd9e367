import numpy as np
import pytest

from core.noise import DetectorModel, chest_phantom, estimate_noise_sigma, phantom_image

SHAPE = (256, 256)


def region(image, rows, cols):
    """Mean over a box given in fractions of the image size."""
    r, c = image.shape
    return float(
        image[int(rows[0] * r) : int(rows[1] * r), int(cols[0] * c) : int(cols[1] * c)].mean()
    )


# Boxes in fractions of (rows, cols): the image's left is the patient's right.
RIGHT_LUNG = ((0.35, 0.55), (0.15, 0.3))
LEFT_LUNG = ((0.35, 0.55), (0.72, 0.85))
SPINE = ((0.3, 0.7), (0.48, 0.52))
HEART = ((0.6, 0.7), (0.55, 0.65))
ABDOMEN = ((0.85, 0.95), (0.3, 0.4))
AIR = ((0.4, 0.6), (0.0, 0.02))


def test_line_integrals_shape_dtype_and_range():
    line_integral = chest_phantom(SHAPE, seed=0)
    assert line_integral.shape == SHAPE
    assert line_integral.dtype == np.float64
    assert line_integral.min() == 0.0
    assert 4.5 < line_integral.max() < 6.0


def test_anatomy_has_plausible_attenuation():
    line_integral = chest_phantom(SHAPE, seed=0)
    assert region(line_integral, *AIR) == 0.0
    for lung in (RIGHT_LUNG, LEFT_LUNG):
        assert 1.0 < region(line_integral, *lung) < 3.0
    assert region(line_integral, *SPINE) > 4.0
    assert region(line_integral, *HEART) > region(line_integral, *LEFT_LUNG) + 1.5
    assert region(line_integral, *ABDOMEN) > 3.0


def test_lungs_are_darker_than_spine_in_monochrome2_and_brighter_in_monochrome1():
    mono2 = phantom_image(SHAPE, photometric="MONOCHROME2").astype(float)
    mono1 = phantom_image(SHAPE, photometric="MONOCHROME1").astype(float)
    assert region(mono2, *RIGHT_LUNG) < region(mono2, *SPINE)
    assert region(mono1, *RIGHT_LUNG) > region(mono1, *SPINE)
    np.testing.assert_allclose(mono1, 4095 - mono2, atol=1)


def test_stored_values_follow_the_detector_mapping():
    image = phantom_image(SHAPE, bits_stored=14, max_attenuation=8.0)
    assert image.dtype == np.uint16
    assert image.max() < 2**14
    detector = DetectorModel.from_range(0, 2**14 - 1, max_attenuation=8.0)
    np.testing.assert_allclose(
        detector.line_integral(image), chest_phantom(SHAPE), atol=detector.line_integral(0.51)
    )


def test_same_seed_same_phantom_other_seed_other_phantom():
    np.testing.assert_array_equal(chest_phantom(SHAPE, seed=3), chest_phantom(SHAPE, seed=3))
    assert not np.array_equal(chest_phantom(SHAPE, seed=3), chest_phantom(SHAPE, seed=4))
    noisy = phantom_image(SHAPE, photons_per_pixel=10_000, seed=3)
    np.testing.assert_array_equal(noisy, phantom_image(SHAPE, photons_per_pixel=10_000, seed=3))


def test_noise_option_adds_quantum_noise():
    clean = phantom_image(SHAPE).astype(float)
    noisy = phantom_image(SHAPE, photons_per_pixel=5_000).astype(float)
    assert estimate_noise_sigma(clean) < 1.0
    difference = noisy - clean
    # Noisier where attenuation is higher (fewer quanta).
    assert np.std(difference[96:128, 120:136]) > 2 * np.std(difference[96:128, 40:70])
    assert abs(np.mean(difference[96:128, 40:70])) < 2.0


def test_non_square_shapes_keep_the_anatomy():
    line_integral = chest_phantom((200, 320), seed=0)
    assert line_integral.shape == (200, 320)
    assert region(line_integral, *RIGHT_LUNG) < region(line_integral, *SPINE)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(shape=(8, 100)), "^the phantom must be at least 16 x 16 pixels, got 100 x 8$"),
        (dict(shape=(100,)), "shape"),
        (dict(shape=SHAPE, bits_stored=20), "^BitsStored must be an integer from 8 to 16, got 20$"),
        (dict(shape=SHAPE, photometric="RGB"), "photometric"),
        (dict(shape=SHAPE, photons_per_pixel=0.0), "the quanta per pixel"),
        (dict(shape=SHAPE, seed=-1), "seed"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        phantom_image(**kwargs)


def documented(pattern, text):
    """The numbers ``pattern`` finds in ``text``, as floats."""
    import re

    found = re.search(pattern, " ".join(text.split()))
    assert found, pattern
    return [float(number) for number in found.groups()]


def test_the_documented_anatomy_is_the_phantoms():
    # chest_phantom's Returns section quotes the lungs, heart and spine: measure them.
    line_integral = chest_phantom((512, 512), seed=0)
    doc = chest_phantom.__doc__
    lungs = documented(r"([\d.]+) to ([\d.]+) in the lungs", doc)
    heart = documented(r"([\d.]+) to ([\d.]+) in the heart", doc)
    (spine,) = documented(r"up to about [\d.]+ \(([\d.]+)\) in the spine", doc)
    for box in (RIGHT_LUNG, LEFT_LUNG):
        assert lungs[0] <= region(line_integral, *box) <= lungs[1]
    assert heart[0] <= region(line_integral, *HEART) <= heart[1]
    assert line_integral.max() == pytest.approx(spine, abs=0.01)
    below_heart = line_integral[int(0.55 * 512) : int(0.8 * 512), 240:272]
    assert below_heart.max() == pytest.approx(spine, abs=0.01)
