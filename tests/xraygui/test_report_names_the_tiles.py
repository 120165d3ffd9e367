"""The session report's JSON, CSV and PDF name the tiles the network ran on: the tile
changes the result, so a result cannot be made again without it."""

import pytest

from core.denoise import DenoiseSettings, denoise_image
from core.diffusion import load_model
from core.io import read_image

pytestmark = pytest.mark.gui


def test_every_report_file_names_the_tiles(qapp, small_dicom, tiny_model_path, written_report):
    image = read_image(small_dicom)
    settings = DenoiseSettings(
        device="cpu", views=1, precision="float32", tile_size=64, tile_overlap=16
    )
    result = denoise_image(image, load_model(tiny_model_path), settings)
    js, (row,), pdf = written_report(source=image, image=image, result=result)
    assert (js["denoising"]["tile_sizes"], js["denoising"]["tile_overlap"]) == ([64], 16)
    assert (row["tile_sizes"], row["tile_overlap"]) == ("64", "16")
    assert "network in float32 on CPU, tile 64 overlap 16, " in pdf
