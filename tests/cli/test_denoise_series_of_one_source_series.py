"""Images of one source series denoised together form one derived series, numbered as in it."""

import numpy as np
import pydicom
import pytest
import torch
from pydicom.uid import generate_uid

from core.cli import main
from core.diffusion.model import DiffusionModel, save_model
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.io.dicom_write import new_dataset


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    save_model(DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule()), path)
    return path


def _series_image(path, series_uid, instance):
    rng = np.random.default_rng(instance)
    ds = new_dataset(
        rng.integers(1000, 3000, size=(32, 32), dtype=np.uint16),
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id="P1",
        description="Thorax",
        modality="CR",
        window=None,
    )
    ds.SeriesInstanceUID, ds.InstanceNumber, ds.SeriesNumber = series_uid, instance, 2
    ds.save_as(path, enforce_file_format=True)
    return path


def test_two_images_of_one_series_give_one_derived_series(tmp_path, model_file):
    one, other = generate_uid(), generate_uid()
    folder = tmp_path / "in"
    folder.mkdir()
    inputs = [
        _series_image(folder / "pa.dcm", one, 1),
        _series_image(folder / "ll.dcm", one, 2),
        _series_image(folder / "else.dcm", other, 7),
    ]
    out = tmp_path / "out"
    args = ["denoise", *map(str, inputs), "--output-dir", str(out), "--model", str(model_file)]
    assert main([*args, "--device", "cpu", "--views", "1"]) == 0
    pa, ll, alone = (pydicom.dcmread(out / name) for name in ("pa.dcm", "ll.dcm", "else.dcm"))
    assert pa.SeriesInstanceUID == ll.SeriesInstanceUID  # one derived series of the source's
    assert pa.SeriesInstanceUID not in (one, other, alone.SeriesInstanceUID)
    assert alone.SeriesInstanceUID != other
    assert [pa.InstanceNumber, ll.InstanceNumber, alone.InstanceNumber] == [1, 2, 7]
    assert pa.SeriesNumber == ll.SeriesNumber == 1002
