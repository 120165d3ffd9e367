"""Training maps each image's values as the denoiser maps the images it is given.

Training mapped an image over its storable range, the denoiser its 0.1 and 99.9
percentiles onto -0.9 and 0.9: a detector's 12-bit image under BitsStored 16 with a
pedestal trained at a nineteenth of the contrast it was denoised at, and one hot pixel at
65535 squashed a 16-bit image almost flat. New runs map percentiles
(``normalisation="percentiles"``); a run stored before keeps the range it trained with.
"""

import numpy as np
import pytest

from core.binning import block_means
from core.image import StoredMapping, Window, XrayImage
from core.model_span import MODEL_SPAN, PERCENTILE_BLOCK, PERCENTILES
from core.training.config import TrainConfig
from core.training.data import normalise


def _detector_image(*, hot_pixel: bool) -> XrayImage:
    """A smooth 12-bit image on a pedestal of 20,000 in 16 bits, perhaps with a hot pixel."""
    y, x = np.mgrid[0:256, 0:256]
    pixels = 20_000 + 1500 * np.sin(x / 36.0) * np.cos(y / 52.0) + 5 * x
    if hot_pixel:
        pixels[10, 10] = 65535
    return XrayImage(
        pixels=pixels.astype(np.float32),
        mapping=StoredMapping(bits_stored=16),
        window=Window(20_000, 4000),
    )


def _percentiles(pixels: np.ndarray) -> np.ndarray:
    return np.percentile(block_means(pixels, PERCENTILE_BLOCK), PERCENTILES)


@pytest.mark.parametrize("hot_pixel", [False, True])
def test_a_detector_image_trains_at_the_contrast_it_is_denoised_at(hot_pixel):
    image = _detector_image(hot_pixel=hot_pixel)
    mapped = normalise(image)
    np.testing.assert_allclose(_percentiles(mapped), MODEL_SPAN, atol=0.02)
    assert mapped.min() >= -1.0 and mapped.max() <= 1.0  # the hot pixel clipped
    ranged = normalise(image, "range")
    low, high = _percentiles(ranged)
    assert high - low < 0.25  # what the range gave: a seventh of the contrast or less


def test_a_flat_image_is_not_magnified_without_end():
    pixels = np.full((32, 32), 1000.0, np.float32)
    pixels[::2] += 1.0  # one stored value of texture in 12 bits
    image = XrayImage(pixels=pixels, mapping=StoredMapping(bits_stored=12), window=Window(0, 1))
    mapped = normalise(image)
    # At most 1 % of the range (4095 values) spans the model's 1.8: a step of 0.044.
    assert np.ptp(mapped) == pytest.approx(1.8 / (0.01 * 4095), rel=1e-5)


def test_an_unknown_normalisation_is_refused(tmp_path):
    with pytest.raises(ValueError, match="normalisation must be one of percentiles, range"):
        normalise(_detector_image(hot_pixel=False), "minmax")
    with pytest.raises(ValueError, match="normalisation must be one of"):
        TrainConfig(data=tmp_path, output=tmp_path / "m.safetensors", normalisation="minmax")


def test_new_runs_map_percentiles_and_stored_ones_keep_the_range(tmp_path):
    config = TrainConfig(data=tmp_path, output=tmp_path / "m.safetensors")
    assert config.normalisation == "percentiles"
    stored = config.to_config()
    assert TrainConfig.from_config(stored).normalisation == "percentiles"
    del stored["normalisation"]  # a checkpoint written before the field
    assert TrainConfig.from_config(stored).normalisation == "range"
    assert config.trajectory_differences(stored) == ["normalisation"]


@pytest.mark.usefixtures("restore_logging")
def test_the_command_line_records_and_keeps_the_normalisation(image_folder, tmp_path, capsys):
    from core.diffusion.model import load_model
    from core.training.__main__ import main
    from core.training.checkpoint import read_checkpoint
    from core.training.loop import NORMALISATION_RECORDS

    out = tmp_path / "m.safetensors"
    given = [str(image_folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    given += ["--batch-size", "2", "--patch-size", "16", "--val-every", "0", "--warmup-steps", "0"]
    assert main([*given, "--steps", "1", "--architecture", "tiny", "--normalisation", "range"]) == 0
    assert load_model(out).card.data["normalisation"] == NORMALISATION_RECORDS["range"]
    assert main([*given, "--steps", "2", "--resume"]) == 0  # kept: not given
    assert read_checkpoint(tmp_path / "m.checkpoint.safetensors").config["normalisation"] == "range"
    capsys.readouterr()
    refused = main([*given, "--steps", "3", "--resume", "--normalisation", "percentiles"])
    assert refused == 2
    assert "settings differ in normalisation" in capsys.readouterr().err
