"""A batch whose model file is missing or whose device this machine lacks fails once.

It fails in one line naming the file or the device, before the output folder is made,
rather than each file failing in turn; Batch Denoise Folder refuses a model marked
missing before it asks for a folder, with the line a Denoise gives.
"""

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from core.errors import ModelFileError
from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for index in range(3):
        pixels = np.random.default_rng(index).integers(1000, 3000, (64, 64)).astype(np.uint16)
        Image.fromarray(pixels).save(folder / f"p{index}.png")
    return folder


def test_a_missing_model_fails_the_batch_once_naming_the_file(source, tmp_path, drain):
    gone = tmp_path / "gone.safetensors"
    with pytest.raises(ModelFileError, match="missing file") as raised:
        drain(batch_job(source, tmp_path / "out", DenoiseOptions(model=gone, device="cpu")))
    assert str(gone) in str(raised.value)
    assert not (tmp_path / "out").exists()  # no folder, no table of three failures


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_a_device_this_machine_lacks_fails_the_batch_once(source, tmp_path, tiny_model_path, drain):
    options = DenoiseOptions(model=tiny_model_path, device="cuda")
    with pytest.raises(ValueError, match="device 'cuda' is not available"):
        drain(batch_job(source, tmp_path / "out", options))
    assert not (tmp_path / "out").exists()


@pytest.mark.gui
def test_batch_denoise_folder_refuses_a_model_marked_missing(
    tmp_path, window_on, dialogs, monkeypatch
):
    gone = tmp_path / "gone.safetensors"
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("denoise/model", str(gone))
    window = window_on(settings)
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a: asked.append(a) or "")
    window.choose_batch()
    assert asked == []  # refused before a folder is asked for
    assert dialogs == [("critical", "Cannot denoise", f"{gone}: missing file {gone}")]
