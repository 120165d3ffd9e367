"""The app's batch finds an output folder it cannot write in, or a file in its place, before
it reads or denoises any input, and says so in one message naming the folder.

The tests run as root in CI, where a read-only folder's permissions block nothing: there
creating a file in the folder is made to fail (``open`` patched) as it does for another
user; the last test uses a real read-only folder and runs only where permissions apply.
"""

import builtins
import os
from pathlib import Path

import pytest

from core.errors import XrayError
from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job

pytestmark = pytest.mark.gui


@pytest.fixture
def source(tmp_path, small_dicom):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.dcm").write_bytes(small_dicom.read_bytes())
    return folder


def _options(model):
    return DenoiseOptions(model=model, views=1, device="cpu")


def test_an_output_folder_that_cannot_be_written_stops_the_batch_before_any_file(
    source, tmp_path, tiny_model_path, monkeypatch
):
    target = tmp_path / "out"
    target.mkdir()
    real_open = builtins.open

    def refusing(file, mode="r", *args, **kwargs):  # as without write permission
        writes = any(flag in mode for flag in "wxa+")
        if writes and isinstance(file, str | os.PathLike) and Path(file).parent == target:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    batch = batch_job(source, target, _options(tiny_model_path))
    with pytest.raises(XrayError) as raised:
        next(batch)  # before the first file's "reading"
    assert str(raised.value) == f"{target}: cannot write in this folder: Permission denied"
    assert list(target.iterdir()) == []


def test_an_output_folder_that_is_a_file_is_named_as_such(source, tmp_path, tiny_model_path):
    target = tmp_path / "ok.png"
    target.write_bytes(b"an image, not a folder")
    with pytest.raises(XrayError) as raised:
        next(batch_job(source, target, _options(tiny_model_path)))
    assert str(raised.value) == (f"{target} is a file, not a folder; choose another output folder")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes in any folder"
)
def test_a_real_read_only_output_folder(source, tmp_path, tiny_model_path):
    target = tmp_path / "ro"
    target.mkdir()
    target.chmod(0o555)
    try:
        with pytest.raises(XrayError) as raised:
            next(batch_job(source, target, _options(tiny_model_path)))
    finally:
        target.chmod(0o755)
    assert str(raised.value) == f"{target}: cannot write in this folder: Permission denied"
