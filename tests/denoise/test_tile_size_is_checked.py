"""A tile size asked for (``--tile-size``, ``DenoiseSettings.tile_size``) is checked, not bent.

Before, the command line had no ``--tile-size``, and a tile size given to the library that
was no multiple of the network's size multiple was rounded down without a word (and any
positive size was taken), so that the tile recorded could differ from the tile asked for.
"""

import argparse
import re

import numpy as np
import pydicom
import pytest
import torch
from PIL import Image

from core.cli import build_parser, main
from core.denoise import DenoiseSettings, denoise_image, tiling
from core.diffusion.model import DiffusionModel, save_model
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.io import write_new_dicom
from core.noise import phantom_image


def test_a_tile_under_64_is_refused():
    with pytest.raises(ValueError, match="^the tile size must be an integer >= 64, got 32$"):
        DenoiseSettings(tile_size=32, tile_overlap=0)


def test_a_tile_no_multiple_of_the_network_s_is_refused_before_any_network_call(
    tiny_model, noisy_phantom
):
    calls = []
    tiny_model.network.register_forward_pre_hook(lambda *_: calls.append(1))
    settings = DenoiseSettings(tile_size=66, tile_overlap=8, device="cpu")
    with pytest.raises(ValueError, match="tile size 66 must be a multiple of 4, .*: 64 or 68"):
        denoise_image(noisy_phantom, tiny_model, settings)
    assert calls == []


def test_the_shipped_architecture_takes_multiples_of_16():
    model = DiffusionModel(UNet(UNetConfig()), NoiseSchedule())
    tiling.check_tile_size(model, 512)
    with pytest.raises(ValueError, match="multiple of 16, the network's size multiple: 496 or 512"):
        tiling.check_tile_size(model, 500)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    network = UNet(UNetConfig.tiny())
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in network.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 0.1)
    path = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    save_model(DiffusionModel(network, NoiseSchedule()), path)
    return path


@pytest.fixture
def film(tmp_path):
    """A 16-bit PNG of a 96 x 96 noisy phantom."""
    pixels = phantom_image((96, 96), seed=2, photons_per_pixel=3000)
    path = tmp_path / "film.png"
    Image.fromarray(np.clip(np.rint(pixels), 0, 65535).astype(np.uint16)).save(path)
    return path


def _denoise(film, out, model_file, *extra):
    args = ["denoise", str(film), "--output-dir", str(out), "--model", str(model_file)]
    return main([*args, "--device", "cpu", "--views", "1", *extra])


def test_the_command_line_takes_a_tile_size_and_records_it(film, tmp_path, model_file, capsys):
    assert _denoise(film, tmp_path / "out", model_file, "--tile-size", "256") == 0
    assert "; tile 256 overlap 64; " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("tile", "reason"),
    [
        ("258", "tile size 258 must be a multiple of 4, the network's size multiple: 256 or 260"),
        ("128", "the tile size, 128, must be at least 4 x tile_overlap (256)"),
        ("32", "the tile size must be an integer >= 64, got 32"),
    ],
)
def test_the_command_line_refuses_a_tile_size_in_one_line(
    film, tmp_path, model_file, capsys, tile, reason
):
    assert _denoise(film, tmp_path / "out", model_file, "--tile-size", tile) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"xray-denoise: error: {reason}")
    assert not (tmp_path / "out").exists()


def test_the_help_names_the_default_tile():
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    option = next(a for a in commands.choices["denoise"]._actions if a.dest == "tile_size")
    text = " ".join(option.help.split())
    assert re.search(r"default auto: from the free memory, .*512 with --precision float32", text)


def test_a_derived_dicom_records_the_tile_in_its_derivation_description(tmp_path, model_file):
    pixels = phantom_image((96, 96), seed=2, photons_per_pixel=3000)
    source = tmp_path / "film.dcm"
    write_new_dicom(np.clip(np.rint(pixels), 0, 4095).astype(np.uint16), source)
    assert _denoise(source, tmp_path / "out", model_file, "--tile-size", "256") == 0
    derived = pydicom.dcmread(tmp_path / "out" / "film.dcm")
    assert "; tile 256 overlap 64; " in derived.DerivationDescription
