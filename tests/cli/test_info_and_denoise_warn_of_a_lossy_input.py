"""``info`` and ``denoise`` say in one line that a JPEG input's noise estimate may read low.

An 8-bit 256 px chest phantom at 2000 quanta saved as JPEG at quality 75 reads nearly
noise-free (:mod:`core.noise.lossy`); saved as PNG it warns of nothing.
"""

import numpy as np
import pytest
from PIL import Image

from core.cli import main
from core.noise import phantom_image

PROG = "xray-denoise"
WARNING = "lossy-compressed (JPEG) input: compression removed fine-scale noise, so the noise"


@pytest.fixture
def inputs(tmp_path):
    """The phantom as ``noisy.jpg`` (quality 75) and ``noisy.png``, in their own folder."""
    folder = tmp_path / "in"
    folder.mkdir()
    stored = phantom_image((256, 256), bits_stored=8, photons_per_pixel=2000.0, seed=3)
    picture = Image.fromarray(stored.astype(np.uint8))
    picture.save(folder / "noisy.jpg", quality=75)
    picture.save(folder / "noisy.png")
    return folder / "noisy.jpg", folder / "noisy.png"


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if WARNING in line]


@pytest.mark.filterwarnings("always::core.errors.XrayWarning")  # shown, as the program shows it
def test_info_warns_of_a_jpeg_and_not_of_a_png(inputs, capsys):
    jpeg, png = inputs
    assert main(["info", str(jpeg), str(png)]) == 0
    said = capsys.readouterr()
    (line,) = _warnings(said.err)
    assert line.startswith(f"{PROG}: warning: {jpeg}: {WARNING}")
    assert line.endswith("may read low and denoising do little")
    assert "Traceback" not in said.err


@pytest.mark.filterwarnings("always::core.errors.XrayWarning")
def test_denoise_warns_of_a_jpeg_and_not_of_a_png(inputs, tiny_model, tmp_path, capsys):
    jpeg, png = inputs
    options = ["--model", str(tiny_model), "--device", "cpu", "--views", "1", "--steps", "2"]
    out = ["--output-dir", str(tmp_path / "out")]
    assert main(["denoise", str(jpeg), str(png), *out, *options]) == 0  # a warning, no failure
    err = capsys.readouterr().err
    (line,) = _warnings(err)
    assert line.startswith(f"{PROG}: warning: {jpeg}: {WARNING}")
    assert "Traceback" not in err
