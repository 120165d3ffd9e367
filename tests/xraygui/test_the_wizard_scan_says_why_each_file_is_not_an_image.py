"""The wizard's scan lists each file not taken as an image with its own reason (a DICOMDIR is
an index, not "no DICOM preamble"), and takes a DICOM without preamble or suffix."""

import pydicom
import pytest

from core.io import write_new_dicom
from core.noise import phantom_image
from xraygui.wizard.scan import scan_folder

pytestmark = pytest.mark.gui


def test_the_scan_gives_each_file_its_reason(tmp_path, drain, write_file_set):
    folder = tmp_path / "data"
    write_file_set(folder / "media")
    stored = phantom_image((32, 32), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    raw = pydicom.dcmread(write_new_dicom(stored, tmp_path / "a.dcm", patient_id="OLD"))
    del raw.file_meta
    raw.preamble = None
    raw.save_as(folder / "IM_0001", implicit_vr=True, little_endian=True, enforce_file_format=False)
    (folder / "notes.txt").write_text("hello")
    report = drain(scan_folder(folder, patch_size=16, binning=1))
    assert sorted((path.name, why) for path, why in report.unreadable) == [
        ("DICOMDIR", "a DICOMDIR (the index of a DICOM file-set), not an image"),
        ("notes.txt", "a .txt file, not an image (no image suffix, no DICOM preamble)"),
    ]
    assert sorted(image.record.path.name for image in report.readable) == ["IM000000", "IM_0001"]
