"""simulate does not call a lossy-compressed noisy image noise-free, nor advise saying so.

A JPEG at quality 75 of a noisy film keeps too little fine-scale noise to measure its
quanta: the refusal names the compression and asks for --photons, not --noise-free-input.
"""

import numpy as np
import pytest
from PIL import Image

from core.cli import main
from core.io import read_image
from core.noise import LowDoseSettings
from core.noise.dose import CompressedNoiseError, NoiseFreeInputError


def _noisy_jpeg(path):
    rng = np.random.default_rng(3)
    rows, cols = np.mgrid[0:512, 0:400]
    film = 120 + 60 * np.exp(-(((cols - 200) / 90) ** 2)) + 12 * (np.sin(rows / 22) > 0.7)
    noisy = np.clip(film + rng.normal(0, 6, film.shape), 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(path, quality=75)
    return path


def test_the_measurement_of_a_jpeg_says_lossy_compression_not_noise_free(tmp_path):
    # The dose dialog measures as simulate does: it must not advise a noise-free input.
    image = read_image(_noisy_jpeg(tmp_path / "film.jpg"))
    with pytest.raises(CompressedNoiseError, match=r"lossy compression \(JPEG\) took out") as info:
        LowDoseSettings.measured_from(image, 0.5)
    assert not isinstance(info.value, NoiseFreeInputError)


def test_a_jpeg_of_a_noisy_film_is_not_called_noise_free(tmp_path, capsys):
    _noisy_jpeg(tmp_path / "film.jpg")
    out = tmp_path / "low.png"
    assert (
        main(["simulate", str(tmp_path / "film.jpg"), "--dose", "0.5", "--output", str(out)]) == 2
    )
    error = capsys.readouterr().err
    assert "lossy compression (JPEG)" in error and "--photons N0" in error
    assert "--noise-free-input" not in error and not out.exists()
