"""Folders and model files the user chooses may be symbolic link loops: each is refused or
passed over in words, never raised as ``RuntimeError`` (``Path.resolve()`` on a loop before
Python 3.13)."""

import pytest

import xraygui.models
from core.errors import ImageWriteError
from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job
from xraygui.models import find_models
from xraygui.wizard.data_page import DataPage

pytestmark = pytest.mark.gui


def test_a_batch_from_a_link_loop_folder_says_so(tmp_path, tiny_model_path, drain):
    source = tmp_path / "in"
    source.symlink_to("in")
    options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu")
    summary = drain(batch_job(source, tmp_path / "out", options))
    assert summary.startswith(f"Batch: no image file under {source}; 1 folder(s) could not")


def test_a_batch_into_a_link_loop_folder_is_refused_in_one_line(
    tmp_path, small_dicom, tiny_model_path, drain
):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.dcm").write_bytes(small_dicom.read_bytes())
    target = tmp_path / "out"
    target.symlink_to("out")
    options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu")
    with pytest.raises(ImageWriteError) as refused:
        drain(batch_job(source, target, options))
    assert str(refused.value) == f"{target}: a symbolic link loop; choose another output folder"


def test_a_link_loop_in_the_model_folder_is_not_listed(tmp_path, monkeypatch):
    (tmp_path / "loop.safetensors").symlink_to("loop.safetensors")
    monkeypatch.setattr(xraygui.models, "user_model_dir", lambda: tmp_path)
    assert all(entry.path.name != "loop.safetensors" for entry in find_models())


def test_the_wizard_says_a_typed_link_loop_is_not_a_folder(qtbot, tmp_path):
    (tmp_path / "loop").symlink_to("loop")
    page = DataPage([])
    qtbot.addWidget(page)
    page.set_folder(tmp_path / "loop")
    qtbot.waitUntil(lambda: page.worker is None, timeout=20_000)
    assert not page.isComplete()
    assert page.summary.text() == f"{tmp_path / 'loop'} is not a folder."
