import pickle
from dataclasses import replace
from multiprocessing.reduction import ForkingPickler

import numpy as np
import pytest

from core.training.patches import Augmentation, PatchSampler, tone_curve

PLAIN = Augmentation(
    scale_range=(1.0, 1.0),
    dihedral=False,
    invert_probability=0.0,
    contrast_range=(1.0, 1.0),
    tone_curvature=0.0,
)


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return [rng.uniform(-1, 1, (40, 50)).astype(np.float32) for _ in range(3)]


def test_batch_shape_range_and_determinism(images):
    sampler = PatchSampler(images, 16, Augmentation())
    a = sampler.batch(5, np.random.default_rng(1))
    assert a.shape == (5, 1, 16, 16) and a.dtype == np.float32
    assert np.abs(a).max() <= 1.0 + 1e-6
    np.testing.assert_array_equal(a, sampler.batch(5, np.random.default_rng(1)))
    assert not np.array_equal(a, sampler.batch(5, np.random.default_rng(2)))


def _is_crop(patch, images):
    for image in images:
        for r in range(image.shape[0] - 15):
            for c in range(image.shape[1] - 15):
                if np.array_equal(image[r : r + 16, c : c + 16], patch):
                    return True
    return False


def test_unit_scale_patch_is_a_crop(images):
    sampler = PatchSampler(images, 16, PLAIN)
    assert _is_crop(sampler.patch(np.random.default_rng(3)), images)


def test_dihedral_and_inversion_keep_values(images):
    aug = replace(PLAIN, dihedral=True, invert_probability=1.0)
    patches = PatchSampler(images, 16, aug).batch(8, np.random.default_rng(4))[:, 0]
    for patch in patches:
        candidates = [np.rot90(-patch, -k) for k in range(4)]
        candidates += [np.rot90((-patch)[:, ::-1], -k) for k in range(4)]
        assert any(_is_crop(np.ascontiguousarray(c), images) for c in candidates)


def test_magnification_smooths(images):
    sharp = PatchSampler(images, 16, PLAIN).batch(20, np.random.default_rng(5))
    aug = replace(PLAIN, scale_range=(3.0, 3.0))
    smooth = PatchSampler(images, 16, aug).batch(20, np.random.default_rng(5))
    assert np.abs(np.diff(smooth, axis=-1)).mean() < 0.5 * np.abs(np.diff(sharp, axis=-1)).mean()


def test_contrast_keeps_range():
    flat = [np.ones((32, 32), np.float32)]
    aug = Augmentation(scale_range=(1.0, 1.0), invert_probability=0.0, contrast_range=(0.5, 0.5))
    values = PatchSampler(flat, 16, aug).batch(50, np.random.default_rng(6))
    assert values.max() <= 1.0 + 1e-6 and values.min() >= 0.0 - 1e-6


def test_patch_too_large_raises(images):
    with pytest.raises(ValueError, match="patch-size"):
        PatchSampler(images, 256, Augmentation())
    with pytest.raises(ValueError, match="no training images"):
        PatchSampler([], 16, Augmentation())


@pytest.mark.parametrize(
    "changes",
    [{"scale_range": (0.0, 1.0)}, {"contrast_range": (0.5, 1.5)}, {"invert_probability": 2.0}],
)
def test_bad_augmentation_raises(changes):
    with pytest.raises(ValueError):
        Augmentation(**changes)


def test_augmentation_round_trip():
    aug = Augmentation(scale_range=(0.7, 2.0))
    assert Augmentation.from_config(aug.to_config()) == aug


def test_tone_curve_fixes_the_ends_and_is_monotonic():
    x = np.linspace(-1, 1, 101, dtype=np.float32)
    np.testing.assert_array_equal(tone_curve(x, 0.0), x)
    for k in (-3.5, 0.5, 3.5):
        y = tone_curve(x, k)
        np.testing.assert_allclose(y[[0, -1]], [-1, 1], atol=1e-6)
        assert np.all(np.diff(y) > 0)
    # Positive curvature expands the bright end: it is convex, below the identity.
    assert np.all(tone_curve(x[1:-1], 3.5) < x[1:-1])
    assert np.all(tone_curve(x[1:-1], -3.5) > x[1:-1])


def test_tone_curve_is_the_square_root_of_log_detector_quanta():
    # Pixels linear in attenuation L over [0, 2k]: sqrt(quanta) ~ exp(-L / 2) = exp(-k z).
    z = np.linspace(0, 1, 11)
    root_quanta = np.exp(-3.0 * (1 - z))  # bright pixels (z = 1) carry the most quanta
    expected = 2 * (root_quanta - root_quanta[0]) / (root_quanta[-1] - root_quanta[0]) - 1
    np.testing.assert_allclose(tone_curve(2 * z - 1, 3.0), expected, atol=1e-6)


def test_augmented_patches_stay_in_range(images):
    sampler = PatchSampler(images, 16, Augmentation(tone_curvature=20.0))
    assert np.abs(sampler.batch(20, np.random.default_rng(4))).max() <= 1.0 + 1e-6


def test_a_configuration_from_before_the_tone_curve_reads_as_none():
    stored = Augmentation().to_config()
    del stored["tone_curvature"]
    assert Augmentation.from_config(stored).tone_curvature == 0.0
    assert Augmentation.from_config(Augmentation().to_config()) == Augmentation()


def test_a_plain_pickle_copies_the_images(images):
    sampler = PatchSampler(images, 16, Augmentation())
    data = pickle.dumps(sampler)
    assert len(data) > sum(image.nbytes for image in images)
    copy = pickle.loads(data)
    np.testing.assert_array_equal(
        copy.batch(6, np.random.default_rng(3)), sampler.batch(6, np.random.default_rng(3))
    )


def test_a_worker_pickle_shares_the_images_instead_of_copying_them():
    # What a spawned DataLoader worker receives: torch's reducers put the tensor in
    # shared memory and send a handle, not the pixels.
    rng = np.random.default_rng(1)
    images = [rng.uniform(-1, 1, (300, 200 + 10 * k)).astype(np.float32) for k in range(4)]
    sampler = PatchSampler(images, 16, Augmentation())
    expected = sampler.batch(6, np.random.default_rng(3))
    data = ForkingPickler.dumps(sampler)
    assert len(data) < 10_000 < sum(image.nbytes for image in images)
    assert all(image.base is not None for image in sampler.images)  # views of the shared copy
    shared = ForkingPickler.loads(data)
    assert [im.shape for im in shared.images] == [im.shape for im in images]
    np.testing.assert_array_equal(shared.batch(6, np.random.default_rng(3)), expected)
    np.testing.assert_array_equal(sampler.batch(6, np.random.default_rng(3)), expected)


def test_patches_avoid_padding():
    rng = np.random.default_rng(0)
    image = rng.uniform(0.2, 0.9, (40, 80)).astype(np.float32)
    padding = np.zeros(image.shape, bool)
    padding[:, :30] = True
    image[padding] = -1.0
    patches = PatchSampler([image], 16, PLAIN, padding=[padding]).batch(50, rng)
    assert patches.min() > 0.1
    assert PatchSampler([image], 16, PLAIN).batch(50, rng).min() == -1.0
