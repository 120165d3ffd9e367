"""Shared by the CLI tests: a real CT DICOM, a 16-bit PNG, a tiny untrained model, and refusals.

The tests run as root in CI, where permissions block nothing: :func:`refuse_writing_in` makes
creating a file or folder fail as it does for another user without write permission."""

import builtins
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydicom.data import get_testdata_file

from core.diffusion.model import DiffusionModel, save_model
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig


@pytest.fixture
def ct(tmp_path):
    """pydicom's CT_small.dcm, alone in its own input folder."""
    path = tmp_path / "in" / "ct.dcm"
    path.parent.mkdir()
    shutil.copy(get_testdata_file("CT_small.dcm"), path)
    return path


@pytest.fixture
def png16(tmp_path):
    """A smooth 16-bit film with Gaussian noise."""
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:96, 0:128]
    values = 20000 + 15000 * np.sin(xx / 15) * np.cos(yy / 11) + rng.normal(0, 300, xx.shape)
    path = tmp_path / "film.png"
    Image.fromarray(values.astype(np.uint16)).save(path)
    return path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A tiny, untrained model file: fast, and enough to run the whole pipeline."""
    import torch

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    save_model(DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule()), path)
    return path


@pytest.fixture
def refuse_writing_in(monkeypatch):
    """Call with a folder: creating a file or folder in it then fails with Permission denied."""

    def refuse(folder: Path) -> None:
        real_open, real_mkdir = builtins.open, os.mkdir

        def refused(file) -> bool:
            return isinstance(file, str | os.PathLike) and Path(file).parent == folder

        def refusing_open(file, mode="r", *args, **kwargs):
            if any(flag in mode for flag in "wxa+") and refused(file):
                raise PermissionError(13, "Permission denied", os.fspath(file))
            return real_open(file, mode, *args, **kwargs)

        def refusing_mkdir(path, *args, **kwargs):
            if refused(path):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing_open)
        monkeypatch.setattr(os, "mkdir", refusing_mkdir)

    return refuse


@pytest.fixture
def count_denoising(monkeypatch):
    """Call to start counting the images denoised; returns the list that grows by one each."""
    import core.denoise

    def count() -> list[int]:
        calls: list[int] = []
        real = core.denoise.denoise_steps

        def counted(*args, **kwargs):
            calls.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(core.denoise, "denoise_steps", counted)
        return calls

    return count
