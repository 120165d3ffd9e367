"""A derived DICOM keeps the source's patient and study attributes, free text and private tags.

The user guide says so and tells users to de-identify before sharing: a change that dropped
or kept otherwise would make that advice misdescribe what a shared file holds.
"""

import pydicom

from core.io import read_image, write_image, write_new_dicom
from core.noise import phantom_image


def test_patient_study_free_text_and_private_tags_are_kept(tmp_path):
    source = tmp_path / "Doe_Jane.dcm"
    stored = phantom_image((32, 32), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    write_new_dicom(stored, source, bits_stored=12, patient_name="Doe^Jane", patient_id="MRN1")
    ds = pydicom.dcmread(source)
    ds.PatientBirthDate, ds.AccessionNumber = "19570101", "ACC42"
    ds.ImageComments = "seen by Dr Who"
    block = ds.private_block(0x0011, "XRAY TEST", create=True)
    block.add_new(0x01, "LO", "private note")
    ds.save_as(source)

    derived = pydicom.dcmread(write_image(read_image(source), tmp_path / "d.dcm", description="x"))
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "AccessionNumber"):
        assert derived[keyword].value == ds[keyword].value
    assert derived.StudyInstanceUID == ds.StudyInstanceUID
    assert "seen by Dr Who" in derived.ImageComments
    assert derived.private_block(0x0011, "XRAY TEST")[0x01].value == "private note"
