"""simulate does not call a lossy-compressed noisy image noise-free, nor advise saying so.

A JPEG at quality 75 of a noisy film keeps too little fine-scale noise to measure its
quanta: the refusal names the compression and asks for --photons, not --noise-free-input.
"""

import numpy as np
from PIL import Image

from core.cli import main


def test_a_jpeg_of_a_noisy_film_is_not_called_noise_free(tmp_path, capsys):
    rng = np.random.default_rng(3)
    rows, cols = np.mgrid[0:512, 0:400]
    film = 120 + 60 * np.exp(-(((cols - 200) / 90) ** 2)) + 12 * (np.sin(rows / 22) > 0.7)
    noisy = np.clip(film + rng.normal(0, 6, film.shape), 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(tmp_path / "film.jpg", quality=75)
    out = tmp_path / "low.png"
    assert (
        main(["simulate", str(tmp_path / "film.jpg"), "--dose", "0.5", "--output", str(out)]) == 2
    )
    error = capsys.readouterr().err
    assert "lossy compression (JPEG)" in error and "--photons N0" in error
    assert "--noise-free-input" not in error and not out.exists()
