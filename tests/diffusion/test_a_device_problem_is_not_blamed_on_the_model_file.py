"""load_model resolves device names as the rest of core does, and blames no file for a device."""

import pytest
import torch

import core.device
from core.diffusion.model import load_model, save_model


@pytest.fixture
def saved(tmp_path, tiny_model):
    path = tmp_path / "m.safetensors"
    save_model(tiny_model, path)
    return path


@pytest.fixture
def cpu_only(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(core.device, "_mps_available", lambda: False)


def test_auto_picks_the_device_as_select_device_does(saved, cpu_only):
    assert load_model(saved, device="auto").device == torch.device("cpu")


@pytest.mark.parametrize(
    ("device", "reason"),
    [
        ("cuda", r"device 'cuda' is not available"),
        ("mps", r"device 'mps' is not available"),
        ("gpu", r"unknown device 'gpu'"),
    ],
)
def test_a_device_this_machine_lacks_is_refused_as_a_device(saved, cpu_only, device, reason):
    with pytest.raises(ValueError, match=reason) as refusal:
        load_model(saved, device=device)
    assert str(saved) not in str(refusal.value)  # not a ModelFileError about the file


def test_the_weights_are_read_on_the_cpu_and_then_moved(saved):
    # The meta device takes any module but no file read: reading there would fail.
    model = load_model(saved, device=torch.device("meta"))
    assert model.device == torch.device("meta")
