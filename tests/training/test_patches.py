import numpy as np
import pytest

from core.training.patches import Augmentation, PatchSampler

PLAIN = Augmentation(
    scale_range=(1.0, 1.0), dihedral=False, invert_probability=0.0, contrast_range=(1.0, 1.0)
)


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return [rng.uniform(-1, 1, (40, 50)).astype(np.float32) for _ in range(3)]


def test_batch_shape_range_and_determinism(images):
    sampler = PatchSampler(images, 16, Augmentation())
    a = sampler.batch(5, np.random.default_rng(1))
    assert a.shape == (5, 1, 16, 16) and a.dtype == np.float32
    assert np.abs(a).max() <= 1.2  # bicubic may overshoot a little
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
    aug = Augmentation(
        scale_range=(1.0, 1.0), dihedral=True, invert_probability=1.0, contrast_range=(1.0, 1.0)
    )
    patches = PatchSampler(images, 16, aug).batch(8, np.random.default_rng(4))[:, 0]
    for patch in patches:
        candidates = [np.rot90(-patch, -k) for k in range(4)]
        candidates += [np.rot90((-patch)[:, ::-1], -k) for k in range(4)]
        assert any(_is_crop(np.ascontiguousarray(c), images) for c in candidates)


def test_magnification_smooths(images):
    sharp = PatchSampler(images, 16, PLAIN).batch(20, np.random.default_rng(5))
    aug = Augmentation(
        scale_range=(3.0, 3.0), dihedral=False, invert_probability=0.0, contrast_range=(1.0, 1.0)
    )
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
