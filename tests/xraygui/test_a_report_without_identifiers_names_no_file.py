"""A report without identifiers names neither the patient nor a UID through file names.

A file or folder is often named after the patient (``Jane Doe/Doe_Jane.dcm``) or by its
SOP Instance UID, as PACS exports name them. Without identifiers the report's files are
named ``image_<12 hex digits of the source's SHA-256>_report`` and its JSON, CSV and PDF name
the source and reference as ``source image`` and ``reference image`` with their hashes'
first digits; with identifiers the files and paths are named as before.
"""

import hashlib
import shutil

import pydicom
import pytest

from core.io import read_image, write_new_dicom
from core.noise import phantom_image
from xraygui.analysis import comparisons
from xraygui.dialogs import ReportOptionsDialog

pytestmark = pytest.mark.gui

SUFFIXES = (".pdf", ".json", ".csv")


def _sha12(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@pytest.fixture
def named(tmp_path):
    """A source and a reference named after the patient, in the patient's folder."""
    folder = tmp_path / "Jane Doe"
    folder.mkdir()
    paths = folder / "Doe_Jane.dcm", folder / "Doe_Jane_truth.dcm"
    for seed, path in enumerate(paths, 1):
        pixels = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=seed)
        write_new_dicom(pixels, path, bits_stored=12, patient_name="Doe^Jane", patient_id="MRN1")
    return paths


@pytest.fixture
def uid_named(named, tmp_path):
    """The same two files, each named by its SOP Instance UID; and the UIDs."""
    folder = tmp_path / "export"
    folder.mkdir()
    uids = [str(pydicom.dcmread(path).SOPInstanceUID) for path in named]
    paths = [
        shutil.copy(path, folder / f"{uid}.dcm") for path, uid in zip(named, uids, strict=True)
    ]
    return paths, uids


def _report(written_report, tmp_path, source_path, reference_path, identifiers):
    """Write the report; return its files' names and its JSON, CSV and PDF text together."""
    source, reference = read_image(source_path), read_image(reference_path)
    js, rows, pdf = written_report(
        source=source,
        image=source,
        reference=reference,
        rows=comparisons(reference, source, None),
        include_identifiers=identifiers,
    )
    files = sorted((tmp_path / "report").iterdir())
    text = "\n".join([*(f.read_bytes().decode("utf-8") for f in files if f.suffix != ".pdf"), pdf])
    return [f.name for f in files], js, rows, text


@pytest.mark.parametrize("naming", ["patient", "uid"])
def test_no_file_name_folder_or_uid_is_in_the_report_without_identifiers(
    qapp, named, uid_named, tmp_path, written_report, naming
):
    source, reference = named if naming == "patient" else uid_named[0]
    names, js, rows, text = _report(written_report, tmp_path, source, reference, False)
    stem = f"image_{_sha12(source)}_report"
    assert names == sorted(f"{stem}{suffix}" for suffix in SUFFIXES)
    for secret in ("Doe", "Jane", source.parent.name, source.stem, reference.stem, *uid_named[1]):
        assert all(secret not in name for name in names), secret
        assert secret not in text, secret
    assert js["source"] == rows[0]["source"] == f"source image {_sha12(source)}"
    assert js["reference"]["name"] == rows[0]["reference"] == f"reference image {_sha12(reference)}"
    assert f"Source: source image {_sha12(source)}, SHA-256 " in text  # the PDF's line
    assert f"Reference (user-chosen image): reference image {_sha12(reference)}, " in text


def test_with_identifiers_the_files_and_paths_are_named_as_before(
    qapp, named, tmp_path, written_report
):
    source, reference = named
    names, js, rows, text = _report(written_report, tmp_path, source, reference, True)
    assert names == sorted(f"Doe_Jane_report{suffix}" for suffix in SUFFIXES)
    assert js["source"] == rows[0]["source"] == str(source)
    assert js["reference"]["name"] == rows[0]["reference"] == str(reference)
    assert js["source_sop_instance_uid"] == str(pydicom.dcmread(source).SOPInstanceUID)
    assert f"Source: {source}, SHA-256 " in text


def test_the_option_says_it_covers_file_names_and_uids(qapp):
    dialog = ReportOptionsDialog()
    label = dialog.identifiers.text()
    assert "file names" in label and "UIDs" in label
