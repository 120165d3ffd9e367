"""Without imagecodecs, core.io still imports and opens DICOM; JPEG frames name what is missing.

``core.io.jpeg_decode.register_plugin`` documents the case: where imagecodecs is missing,
pydicom's own plugins stay and this one is listed as needing imagecodecs. The module used
to import imagecodecs at the top, so ``import core.io`` (and with it training, the CLI and
the app) failed instead.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CODE = """
import sys
sys.modules["imagecodecs"] = None  # import imagecodecs now raises ImportError

import numpy as np
import pydicom
from pydicom.pixels import get_decoder
from pydicom.uid import JPEGBaseline8Bit, JPEGLSLossless

import core.io.jpeg_decode as jpeg_decode
from core.io import read_image

path = sys.argv[1]
dataset = pydicom.dcmread(pydicom.examples.get_path("ct"))
dataset.save_as(path)
print(read_image(path).pixels.shape)
print(jpeg_decode.is_available(JPEGBaseline8Bit), jpeg_decode.is_available(JPEGLSLossless))
missing = " ".join(get_decoder(JPEGBaseline8Bit).missing_dependencies)
print("imagecodecs" in missing)
"""


def test_core_io_imports_and_reads_dicom_without_imagecodecs(tmp_path):
    path = tmp_path / "ct.dcm"
    done = subprocess.run(
        [sys.executable, "-c", CODE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["(128, 128)", "False False", "True"]


@pytest.mark.slow
def test_training_imports_without_imagecodecs():
    code = 'import sys\nsys.modules["imagecodecs"] = None\nimport core.training.loop\nprint("ok")'
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
