"""A DICOMDIR is named for what it is, and a folder scan passes over it."""

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import BasicTextSRStorage, ExplicitVRLittleEndian, generate_uid

from core.cli import main
from core.errors import ImageReadError
from core.io import read_image
from core.io.dicom_read import is_dicomdir
from xraygui.catalog import ScanEntry, scan_images


def test_a_dicomdir_is_named_and_the_files_it_indexes_suggested(cd):
    """Not "open its folder": the command line takes files, not folders."""
    path = cd / "DICOMDIR"
    with pytest.raises(ImageReadError) as info:
        read_image(path)
    assert str(info.value) == (
        f"{path}: a DICOMDIR (the index of a DICOM CD/DVD), not an image: give the image "
        "files it indexes instead (in its folder and the folders below)"
    )


def test_the_command_line_names_a_dicomdir_without_suggesting_its_folder(cd, capsys):
    assert main(["info", str(cd / "DICOMDIR")]) == 2
    error = capsys.readouterr().err
    assert "give the image files it indexes instead" in error
    assert "folder instead" not in error and "Traceback" not in error


def test_a_non_image_is_named_by_its_file_meta_without_a_sop_class(tmp_path):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = BasicTextSRStorage
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.PatientID = "SR1"
    path = tmp_path / "report.dcm"
    ds.save_as(path, enforce_file_format=True)
    with pytest.raises(ImageReadError, match=r"no image pixel data \(Basic Text SR Storage\)"):
        read_image(path)


def test_the_folder_scan_lists_the_image_and_passes_over_the_dicomdir(cd):
    entries = list(scan_images([cd]))
    assert [type(entry) for entry in entries] == [ScanEntry]
    assert entries[0].path.name != "DICOMDIR"


def test_is_dicomdir_reads_the_file_meta(cd, tmp_path):
    images = [path for path in cd.rglob("*") if path.is_file() and path.name != "DICOMDIR"]
    text = tmp_path / "notes.txt"
    text.write_text("not DICOM")
    assert is_dicomdir(cd / "DICOMDIR")
    assert not any(is_dicomdir(path) for path in [*images, text, tmp_path / "absent"])
