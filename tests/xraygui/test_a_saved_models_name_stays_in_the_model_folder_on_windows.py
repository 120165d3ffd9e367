"""The wizard's "Save to my models" name follows Windows' file-name rules on every OS.

Before, only '/' was cleaned: on Windows ``chest\\v2``, ``..\\..\\Desktop\\chest``, ``D:chest``
and ``chest: low dose`` (an NTFS stream) left the model folder or named something else, and
``CON``, ``lung?`` and ``v2 `` are no file names there.
"""

import json
from pathlib import PurePosixPath, PureWindowsPath

import pytest

from core.diffusion import card_path
from xraygui.wizard.result_page import ResultPage, model_file_stem, save_model_copy
from xraygui.wizard.runs import RunSpec

WINDOWS_FOLDER = PureWindowsPath(r"C:\Users\ana\AppData\Local\xray-denoise\models")
POSIX_FOLDER = PurePosixPath("/home/ana/.local/share/xray-denoise/models")
ESCAPING = {
    "chest\\v2": "chest_v2",
    "..\\..\\..\\..\\Desktop\\chest": "_.._.._.._Desktop_chest",
    "../../Desktop/chest": "_.._Desktop_chest",
    "D:chest": "D_chest",
    "chest: low dose": "chest_ low dose",
    "lung?": "lung_",
    'a*b"c<d>e|f': "a_b_c_d_e_f",
    "tab\there\x00\x1f": "tab_here__",
    "v2 ": "v2",
    "  v2. . ": "v2",
    "chest.v2": "chest.v2",
    "CONSOLE": "CONSOLE",
    "COM10": "COM10",
}
DEVICES = ["CON", "con", "PRN", "AUX", "NUL", "COM1", "com9", "LPT1", "LPT9", "CON.v2", "nul .x"]


@pytest.mark.parametrize(("typed", "stem"), ESCAPING.items())
def test_a_typed_name_becomes_a_file_in_the_model_folder_on_windows_and_posix(typed, stem):
    assert model_file_stem(typed) == stem
    windows = WINDOWS_FOLDER / f"{stem}.safetensors"
    assert windows.parent == WINDOWS_FOLDER and windows.drive == "C:"
    assert (POSIX_FOLDER / f"{stem}.safetensors").parent == POSIX_FOLDER
    assert not set('\\/:*?"<>|') & set(stem) and not stem.endswith((" ", "."))


@pytest.mark.parametrize("typed", DEVICES)
def test_a_windows_device_name_is_refused_in_one_line(typed):
    with pytest.raises(ValueError, match="is a device name on Windows; choose another name"):
        model_file_stem(typed)


@pytest.mark.parametrize("typed", ["...", " . ", ""])
def test_a_name_of_dots_and_spaces_is_refused(typed):
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


def test_save_writes_a_cleaned_name_into_the_model_folder(qtbot, tmp_path, tiny_model_path):
    models = tmp_path / "models"
    page = ResultPage(models)
    qtbot.addWidget(page)
    page.show_run(_finished_run(tmp_path, tiny_model_path))
    page.name.setText("..\\..\\Desktop\\chest: low dose ")
    saved = page.save()
    assert saved == models / "_.._Desktop_chest_ low dose.safetensors"
    assert {p.name for p in models.iterdir()} == {saved.name, card_path(saved).name}


def test_save_refuses_a_device_name_and_says_why(qtbot, tmp_path, tiny_model_path):
    models = tmp_path / "models"
    page = ResultPage(models)
    qtbot.addWidget(page)
    page.show_run(_finished_run(tmp_path, tiny_model_path))
    page.name.setText("CON")
    assert page.save() is None
    assert page.message.text() == (
        "Not saved: 'CON' is a device name on Windows; choose another name"
    )
    assert not models.exists() or not any(models.iterdir())


@pytest.mark.parametrize("name", ["a\\b", "..", "CON", "v2 "])
def test_save_model_copy_refuses_a_stem_that_was_not_cleaned(tmp_path, tiny_model_path, name):
    spec = _finished_run(tmp_path, tiny_model_path)
    with pytest.raises(ValueError):
        save_model_copy(spec, tmp_path / "models", name)
    assert not (tmp_path / "models").exists()
