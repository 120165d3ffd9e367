"""Shared by the CLI tests: a real CT DICOM, a 16-bit PNG and a tiny untrained model."""

import shutil

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
