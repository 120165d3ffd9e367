"""A tile that is no multiple of the network's size multiple is refused, never rounded.

``DenoiseSettings(tile_size=500)`` was once rounded down to the network's multiple; it is
refused now, naming the nearest multiples, and the evaluator itself no longer rounds (so
that the tile recorded is always the tile asked for). The settings' description and the
command line's help say so.
"""

import argparse

import pytest

from core.cli import build_parser
from core.denoise import DenoiseSettings, denoise_image
from core.denoise.tiling import TiledEvaluator
from core.diffusion.model import DiffusionModel
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig


def test_the_evaluator_refuses_a_tile_no_multiple_naming_the_nearest(tiny_model):
    with pytest.raises(ValueError, match=r"^tile size 66 must be a multiple of 4, .*: 64 or 68"):
        TiledEvaluator(tiny_model, tile=66, overlap=8)
    assert TiledEvaluator(tiny_model, tile=68, overlap=8).tile == 68


def test_a_tile_of_500_is_refused_for_the_shipped_architecture(noisy_phantom):
    model = DiffusionModel(UNet(UNetConfig()), NoiseSchedule())
    settings = DenoiseSettings(tile_size=500, device="cpu", views=1)
    with pytest.raises(
        ValueError, match=r"multiple of 16, the network's size multiple: 496 or 512"
    ):
        denoise_image(noisy_phantom, model, settings)


def test_the_settings_and_the_help_say_it_is_refused_not_rounded():
    described = " ".join(DenoiseSettings.__doc__.split())
    assert "Another is refused, not rounded" in described
    assert "rounded down" not in described
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    option = next(a for a in commands.choices["denoise"]._actions if a.dest == "tile_size")
    assert "another is refused, not rounded, naming the nearest multiples" in option.help
