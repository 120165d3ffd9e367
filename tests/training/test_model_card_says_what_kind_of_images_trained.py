"""The model card can say what kind of images trained: formats, stored bits, sizes, DICOM
modality and body part, pixel spacing, counted from what loading the images read."""

import numpy as np
from PIL import Image

from core.io import write_new_dicom
from core.training.data import assign_patients, describe_images, find_images, load_images


def test_formats_bits_sizes_modality_and_spacing_are_counted(tmp_path):
    Image.fromarray(np.full((20, 30), 1000, np.uint16)).save(tmp_path / "a.png")
    Image.fromarray(np.full((40, 10), 100, np.uint8)).save(tmp_path / "b.png")
    write_new_dicom(
        np.full((16, 24), 100, np.uint16),
        tmp_path / "c.dcm",
        bits_stored=12,
        patient_id="P1",
        pixel_spacing=(0.15, 0.2),
    )
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    records = assign_patients(tmp_path, find_images(tmp_path))
    images, skipped = load_images(records)
    assert len(skipped) == 1
    kinds = describe_images(images)
    assert kinds["formats"] == {"DICOM": 1, "PNG": 2}
    assert kinds["bits_stored"] == {"12": 1, "16": 1, "8": 1}
    assert kinds["rows"] == [16, 40] and kinds["cols"] == [10, 30]
    assert kinds["modality"] == {"CR": 1} and kinds["body_part"] == {"not given": 1}
    assert kinds["pixel_spacing_mm"] == [0.15, 0.2] and kinds["without_pixel_spacing"] == 2
    assert describe_images([]) == {}
