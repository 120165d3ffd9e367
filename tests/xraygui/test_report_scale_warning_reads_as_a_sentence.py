"""The PDF's warning that the image is on another scale than the reference reads right."""

import numpy as np
import pytest
from PIL import Image

from core.io import read_image, write_new_dicom
from core.noise import phantom_image
from xraygui.analysis import comparisons

pytestmark = pytest.mark.gui


def test_the_scale_warning_says_which_image_once(qapp, tmp_path, written_report):
    pixels = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    write_new_dicom(pixels, tmp_path / "scan.dcm", bits_stored=12)
    source = read_image(tmp_path / "scan.dcm")
    Image.fromarray((pixels.astype(np.uint16) >> 4).astype(np.uint8)).save(tmp_path / "ref8.png")
    reference = read_image(tmp_path / "ref8.png")
    js, _, pdf = written_report(
        source=source, image=source, reference=reference, rows=comparisons(reference, source, None)
    )
    assert js["scale_warning"].startswith("its values are on another scale")
    assert "image's its" not in pdf
    assert "Warning about the image: its values are on another scale than the reference's" in pdf
