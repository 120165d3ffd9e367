"""A model that cannot be used is said in one line that names it and says what to do."""

import pytest

from core.cli import main
from core.denoise.models import open_model
from core.diffusion.model import load_model
from core.errors import ModelFileError


def test_a_folder_given_as_the_model_is_said_to_be_a_folder(tmp_path):
    with pytest.raises(ModelFileError) as caught:
        load_model(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a folder, not a model file (.safetensors)"


def test_the_command_line_says_the_model_is_a_folder(ct, tmp_path, capsys):
    folder = tmp_path / "models"
    folder.mkdir()
    status = main(["denoise", str(ct), "--output-dir", str(tmp_path / "o"), "--model", str(folder)])
    err = capsys.readouterr().err
    assert status != 0
    assert f"{folder}: is a folder, not a model file (.safetensors)" in err
    assert "missing file" not in err and len(err.strip().splitlines()) == 1


def test_a_missing_shipped_model_is_said_in_words_for_every_front_end(
    ct, tmp_path, monkeypatch, capsys
):
    missing = tmp_path / "none.safetensors"
    monkeypatch.setattr("core.denoise.models.default_model_path", lambda: missing)
    with pytest.raises(ModelFileError) as caught:
        open_model()
    said = (
        "the shipped model is missing from this installation (reinstall, or use another model file)"
    )
    assert str(caught.value) == f"{missing}: {said}"
    status = main(["denoise", str(ct), "--output-dir", str(tmp_path / "o"), "--device", "cpu"])
    err = capsys.readouterr().err
    assert status != 0 and said in err and "choose" not in err
