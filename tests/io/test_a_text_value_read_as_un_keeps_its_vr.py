"""A standard text attribute too long for its VR, written and read back as UN, stays text.

pydicom writes a LO value over 64 KiB (a SeriesDescription of 70,000 characters) as UN
and reads it back so, as bytes; the derived header then failed to set the attribute
(pydicom's TypeError), and the metadata left it out. The reader gives such an element
its dictionary VR.
"""

import pydicom
import pytest
from pydicom.data import get_testdata_file

from core.cli import main
from core.io import read_image

pytestmark = [  # pydicom on the over-long values these tests write on purpose
    pytest.mark.filterwarnings("ignore:The value length .* exceeds the maximum length:UserWarning"),
    pytest.mark.filterwarnings(
        "ignore:The value for the data element .* exceeds the size:UserWarning"
    ),
]

LONG = 70_000


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A tiny, untrained model file, as the CLI tests' fixture makes it."""
    import torch

    from core.diffusion.model import DiffusionModel, save_model
    from core.diffusion.schedule import NoiseSchedule
    from core.diffusion.unet import UNet, UNetConfig

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    save_model(DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule()), path)
    return path


@pytest.fixture
def long_description(tmp_path):
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.SeriesDescription = "B" * LONG
    ds.InstitutionName = "I" * LONG
    path = tmp_path / "in" / "long.dcm"
    path.parent.mkdir()
    ds.save_as(path)
    assert pydicom.dcmread(path)["SeriesDescription"].VR == "UN"  # as pydicom reads it
    return path


def test_the_reader_gives_it_its_dictionary_vr(long_description):
    image = read_image(long_description)
    assert image.dataset["SeriesDescription"].VR == "LO"
    assert image.metadata["SeriesDescription"] == "B" * LONG


def test_such_a_file_denoises_and_its_output_reads_again(long_description, tmp_path, tiny_model):
    out = tmp_path / "out"
    args = ["--output-dir", str(out), "--model", str(tiny_model), "--device", "cpu"]
    assert main(["denoise", str(long_description), *args, "--views", "1"]) == 0
    (written,) = out.glob("*.dcm")
    derived = pydicom.dcmread(written)
    assert derived.SeriesDescription.endswith("(denoised)")
    assert read_image(written).metadata["InstitutionName"] == "I" * LONG
