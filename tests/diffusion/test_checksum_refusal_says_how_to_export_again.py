"""Weights of one export beside the card of another (a kill between the renames): the
refusal says how a training output is exported again."""

import shutil

import pytest
import torch

from core.diffusion.model import load_model, save_model
from core.errors import ModelFileError, error_line


def test_weights_of_a_later_export_beside_an_earlier_card(tmp_path, tiny_model):
    earlier = tmp_path / "m.safetensors"
    save_model(tiny_model, earlier)
    with torch.no_grad():
        next(tiny_model.network.parameters()).add_(1.0)
    later = tmp_path / "later" / "m.safetensors"
    save_model(tiny_model, later)
    shutil.copyfile(later, earlier)  # the weights renamed into place, the card not yet
    with pytest.raises(ModelFileError) as refused:
        load_model(earlier)
    line = error_line(refused.value)
    assert "weights do not match the checksum in the model card" in line
    assert "--resume" in line and "\n" not in line
    assert not list(tmp_path.glob("*.tmp"))
