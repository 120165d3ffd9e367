import json

import pytest
import torch

import core
from core.diffusion.model import DiffusionModel, card_path, load_model, save_model
from core.diffusion.sampler import q_sample
from core.errors import ModelFileError


class OracleEps(torch.nn.Module):
    """Returns a fixed noise tensor: the exact eps of a known x_t."""

    def __init__(self, noise):
        super().__init__()
        self.noise = noise

    def forward(self, x, t):
        return self.noise


@pytest.mark.parametrize("t", [0.5, 4.0, 37.25, torch.tensor([2.0, 900.0])])
def test_predict_x0_inverts_forward_process(schedule, t):
    g = torch.Generator().manual_seed(0)
    x0 = torch.rand(2, 1, 8, 8, generator=g) * 2 - 1
    noise = torch.randn(2, 1, 8, 8, generator=g)
    x_t = q_sample(schedule, x0, t, noise)
    model = DiffusionModel(OracleEps(noise), schedule)
    torch.testing.assert_close(model.predict_eps(x_t, t), noise)
    torch.testing.assert_close(model.predict_x0(x_t, t), x0, rtol=0, atol=2e-3)


def test_predict_x0_formula(schedule):
    # x_0 = (x_t - sqrt(1 - abar) eps) / sqrt(abar), Ho et al. 2020 eq. 15.
    x_t, eps = torch.full((1, 1, 4, 4), 0.3), torch.full((1, 1, 4, 4), -1.2)
    abar = schedule.abar(12.5)
    expected = (0.3 - (1 - abar) ** 0.5 * -1.2) / abar**0.5
    out = DiffusionModel(OracleEps(eps), schedule).predict_x0(x_t, 12.5)
    torch.testing.assert_close(out, torch.full_like(x_t, expected))


def test_save_load_round_trip(tmp_path, tiny_model):
    path = tmp_path / "m.safetensors"
    data = {"attribution": "CC BY 3.0, Hannover Medical School", "n_images": 3}
    card = save_model(tiny_model, path, data=data, validation={"psnr": {"43": 45.0}})
    assert card_path(path).is_file()
    assert card.code_version == core.__version__
    loaded = load_model(path, device="cpu")
    assert not loaded.training
    assert loaded.card == card
    assert loaded.card.data == data
    assert loaded.schedule == tiny_model.schedule
    x = torch.randn(1, 1, 16, 16)
    torch.testing.assert_close(loaded.predict_eps(x, 5.0), tiny_model.predict_eps(x, 5.0))
    raw = json.loads(card_path(path).read_text())
    assert raw["format"] == "xray-denoise-model"
    assert raw["architecture"]["name"] == "unet"
    assert raw["schedule"] == {"name": "cosine-v1", "n_timesteps": 1000}
    assert len(raw["weights_sha256"]) == 64
    assert not list(tmp_path.glob("*.tmp"))


def test_tampered_weights_refused(tmp_path, tiny_model):
    path = tmp_path / "m.safetensors"
    save_model(tiny_model, path)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(path)


def test_missing_or_foreign_card_refused(tmp_path, tiny_model):
    path = tmp_path / "m.safetensors"
    with pytest.raises(ModelFileError, match="missing"):
        load_model(path)
    save_model(tiny_model, path)
    card_path(path).write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ModelFileError, match="model card"):
        load_model(path)


def test_architecture_mismatch_refused(tmp_path, tiny_model):
    path = tmp_path / "m.safetensors"
    save_model(tiny_model, path)
    raw = json.loads(card_path(path).read_text())
    raw["architecture"]["base_channels"] = 16
    card_path(path).write_text(json.dumps(raw))
    with pytest.raises(ModelFileError, match="architecture"):
        load_model(path)


def test_only_unets_are_saved(tmp_path, schedule):
    model = DiffusionModel(OracleEps(torch.zeros(1)), schedule)
    with pytest.raises(TypeError):
        save_model(model, tmp_path / "m.safetensors")


def test_a_training_checkpoint_is_named_as_one(tmp_path):
    from core.diffusion.unet import UNet, UNetConfig
    from core.training.checkpoint import Checkpoint, save_checkpoint

    network = UNet(UNetConfig.tiny())
    path = tmp_path / "M.checkpoint.safetensors"
    optimizer = torch.optim.AdamW(network.parameters())
    save_checkpoint(
        path,
        network=network,
        ema=UNet(UNetConfig.tiny()),
        optimizer=optimizer,
        checkpoint=Checkpoint(1, {}, {}),
    )
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    assert str(caught.value) == f"{path}: a training checkpoint, not a model; load M.safetensors"


def test_a_saved_or_loaded_model_knows_its_file(tmp_path, tiny_model):
    assert tiny_model.path is None
    path = tmp_path / "chest-finetune.safetensors"
    save_model(tiny_model, path)
    assert tiny_model.path == path
    assert load_model(str(path)).path == path
