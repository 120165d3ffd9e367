"""--version says when the shipped weights are missing or do not match their card."""

import pytest

import core.resources
from core.diffusion import DiffusionModel, NoiseSchedule, UNet, UNetConfig, save_model


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A tiny model installed as the shipped one, in a resources folder of its own."""
    weights = tmp_path / "models" / core.resources.SHIPPED_MODEL
    card = save_model(DiffusionModel(UNet(UNetConfig.tiny()), NoiseSchedule()), weights)
    monkeypatch.setattr(core.resources, "resources_dir", lambda: tmp_path)
    return weights, card.weights_sha256[:12]


def test_intact_weights_are_named_by_their_checksum_alone(installed):
    _, sha = installed
    line = core.resources.version_line("xraygui", "1.2.3")
    assert line.startswith(f"xraygui 1.2.3 (model xray-diffusion, SHA-256 {sha}, ")


def test_missing_weights_are_said_to_be_missing(installed):
    weights, sha = installed
    weights.unlink()
    line = core.resources.version_line("xray-denoise", "1.2.3")
    assert f"(model xray-diffusion, SHA-256 {sha} (weights missing), " in line


def test_corrupt_weights_are_said_not_to_match(installed):
    weights, sha = installed
    blob = bytearray(weights.read_bytes())
    blob[-1] ^= 0xFF
    weights.write_bytes(bytes(blob))
    line = core.resources.version_line("xray-denoise", "1.2.3")
    assert f"SHA-256 {sha} (weights do not match this SHA-256), " in line
    assert "\n" not in line
