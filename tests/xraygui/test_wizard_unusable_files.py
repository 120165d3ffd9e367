"""Files the scan does not take as images are listed as unusable, with short reasons."""

import numpy as np
import pydicom
import pytest
from PIL import Image

from core.io import write_new_dicom
from core.noise import phantom_image
from xraygui.wizard.scan import scan_folder

pytestmark = pytest.mark.gui


def _run(generator):
    try:
        while True:
            next(generator)
    except StopIteration as end:
        return end.value


def test_files_not_taken_as_images_are_listed_with_why(tmp_path):
    folder = tmp_path / "détecteur 1"
    folder.mkdir()
    stored = phantom_image((64, 64), bits_stored=8, photons_per_pixel=3000.0, seed=0)
    Image.fromarray(stored.astype(np.uint8)).save(folder / "good.png")
    dicom = write_new_dicom(
        stored.astype(np.uint16), tmp_path / "p.dcm", bits_stored=8, patient_id="P"
    )
    ds = pydicom.dcmread(dicom)
    ds.preamble = None
    pydicom.dcmwrite(folder / "IM0000", ds, enforce_file_format=False)  # no preamble
    (folder / "notes.txt").write_text("hello")
    (folder / "data.csv").write_text("patient_id,image_id\nP,good\n")  # the table: not listed
    (folder / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\nnot an image")
    report = _run(scan_folder(folder, patch_size=16))
    reasons = {path.name: reason for path, reason in report.unusable}
    # A DICOM without preamble or suffix is read, as the app reads it.
    assert set(reasons) == {"notes.txt", "corrupt.png"}
    assert reasons["notes.txt"] == "a .txt file, not an image (no image suffix, no DICOM preamble)"
    assert reasons["corrupt.png"] == "invalid or corrupt PNG file"  # no path, no class name
    assert report.n_usable == 2
