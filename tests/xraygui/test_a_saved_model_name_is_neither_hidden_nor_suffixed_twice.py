"""A typed model name neither hides the saved model nor gives it ``.safetensors`` twice.

Before, ``.chest`` saved a hidden ``.chest.safetensors``, which training and Open Folder
pass over, and ``chest.safetensors`` saved ``chest.safetensors.safetensors``.
"""

import json

import pytest

from core.diffusion import card_path
from xraygui.wizard.result_page import ResultPage, model_file_stem, save_model_copy
from xraygui.wizard.runs import RunSpec

STEMS = {
    ".chest": "chest",
    "...chest": "chest",
    " . chest": "chest",
    "chest.safetensors": "chest",
    "CHEST.SafeTensors ": "CHEST",
    "chest .safetensors.safetensors": "chest",
    "chest.safetensors.v2": "chest.safetensors.v2",
}


@pytest.mark.parametrize(("typed", "stem"), STEMS.items())
def test_leading_dots_and_a_typed_suffix_go(typed, stem):
    assert model_file_stem(typed) == stem


@pytest.mark.parametrize("typed", [".safetensors", " ..SAFETENSORS. "])
def test_a_name_that_is_only_the_suffix_is_refused(typed):
    with pytest.raises(ValueError, match="give the model a name"):
        model_file_stem(typed)


def _finished_run(tmp_path, model_path):
    spec = RunSpec(data=tmp_path / "chest", folder=tmp_path / "run", steps=2, minutes=None,
                   batch_size=2, patch_size=16, init_model=model_path)  # fmt: skip
    spec.folder.mkdir()
    card = json.loads(card_path(model_path).read_text())
    card["training"] = {"steps_done": 2, "started_from": {"name": model_path.stem}}
    spec.output.write_bytes(model_path.read_bytes())
    card_path(spec.output).write_text(json.dumps(card))
    return spec


@pytest.mark.parametrize("typed", [".lung", "lung.safetensors"])
def test_save_writes_a_visible_model_with_one_suffix(qtbot, tmp_path, tiny_model_path, typed):
    models = tmp_path / "models"
    page = ResultPage(models)
    qtbot.addWidget(page)
    page.show_run(_finished_run(tmp_path, tiny_model_path))
    page.name.setText(typed)
    assert page.save() == models / "lung.safetensors"
    assert {p.name for p in models.iterdir()} == {
        "lung.safetensors",
        card_path(models / "lung.safetensors").name,
    }


@pytest.mark.parametrize("name", [".lung", "lung.safetensors"])
def test_save_model_copy_refuses_such_a_stem(tmp_path, tiny_model_path, name):
    spec = _finished_run(tmp_path, tiny_model_path)
    with pytest.raises(ValueError):
        save_model_copy(spec, tmp_path / "models", name)
    assert not (tmp_path / "models").exists()
