"""The wizard's scan walks its folder once: before, it walked it again to list what could
not be read, as training did."""

import errno
import os

import numpy as np
import pytest
from PIL import Image

import core.training.data as data_module
import xraygui.wizard.scan as scan
from xraygui.wizard.scan import scan_folder

pytestmark = pytest.mark.gui


def test_the_scan_walks_the_folder_once_and_names_what_it_cannot_list(tmp_path, drain, monkeypatch):
    folder, locked = tmp_path / "in", tmp_path / "in" / "locked"
    locked.mkdir(parents=True)
    film = np.random.default_rng(0).integers(1000, 3000, (64, 64)).astype(np.uint16)
    Image.fromarray(film).save(folder / "film.png")
    real_scandir, real_walk = os.scandir, data_module.walk_files

    def scandir(path="."):
        if os.fspath(path) == os.fspath(locked):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_scandir(path)

    calls = []

    def counting(folder, **kwargs):
        calls.append(folder)
        return real_walk(folder, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(data_module, "walk_files", counting)
    monkeypatch.setattr(scan, "walk_files", counting, raising=False)  # called there before
    report = drain(scan_folder(folder, patch_size=32, binning=1))
    assert calls == [folder]
    assert (locked, f"the folder cannot be read: {os.strerror(errno.EACCES)}") in report.unreadable
    assert [image.record.path.name for image in report.readable] == ["film.png"]
