"""A file that is not a safetensors file is refused as not a model, before its card is sought."""

import numpy as np
import pytest
from PIL import Image

from core.diffusion.model import load_model
from core.errors import ModelFileError
from core.training.__main__ import main

NOT_A_MODEL = "not a model file (a .safetensors with its .json card)"


@pytest.fixture
def png(tmp_path):
    path = tmp_path / "img1.png"
    Image.fromarray(np.zeros((40, 40), np.uint8)).save(path)
    return path


def test_an_image_is_not_a_model_file(png, tmp_path):
    with pytest.raises(ModelFileError) as caught:
        load_model(png)
    assert str(caught.value) == f"{png}: {NOT_A_MODEL}"
    renamed = tmp_path / "img1.safetensors"  # the suffix alone does not make a model
    renamed.write_bytes(png.read_bytes())
    with pytest.raises(ModelFileError) as caught:
        load_model(renamed)
    assert str(caught.value) == f"{renamed}: {NOT_A_MODEL}"


@pytest.mark.usefixtures("restore_logging")
def test_training_from_an_image_says_it_is_not_a_model(png, tmp_path, capsys):
    out = tmp_path / "run" / "m.safetensors"
    assert main([str(tmp_path), "--output", str(out), "--init-model", str(png)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"python -m core.training: error: {png}: {NOT_A_MODEL}"]
    assert not out.parent.exists()
