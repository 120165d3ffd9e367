"""Input files shared by the CLI tests: a real CT DICOM and a 16-bit PNG."""

import shutil

import numpy as np
import pytest
from PIL import Image
from pydicom.data import get_testdata_file


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
