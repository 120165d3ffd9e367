"""Open Folder, the GUI batch and the wizard's scan take DICOM files named by their UID."""

from pathlib import Path

import pytest

from xraygui.catalog import ScanEntry, Unreadable, iter_image_files, scan_images
from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job
from xraygui.wizard.scan import scan_folder

pytestmark = pytest.mark.gui

UID_NAMES = [f"1.2.826.0.1.3680043.8.498.10{i}" for i in range(1, 4)]


@pytest.fixture
def uid_folder(tmp_path, uid_named_folder) -> Path:
    """Three UID-named DICOMs (one in a subfolder), a plain .dcm, and two non-images."""
    return uid_named_folder(tmp_path / "in", UID_NAMES, "plain.dcm")


def test_the_folder_browser_lists_every_uid_named_dicom(uid_folder):
    names = [p.name for p in iter_image_files([uid_folder])]
    assert sorted(names) == sorted([*UID_NAMES, "plain.dcm"])
    entries = list(scan_images([uid_folder]))
    assert not [e for e in entries if isinstance(e, Unreadable)]
    assert sorted(e.path.name for e in entries if isinstance(e, ScanEntry)) == sorted(
        [*UID_NAMES, "plain.dcm"]
    )


def test_the_batch_writes_an_output_for_every_uid_named_dicom(
    uid_folder, tmp_path, tiny_model_path, drain
):
    target = tmp_path / "out"
    options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu")
    summary = drain(batch_job(uid_folder, target, options))
    assert summary.startswith("Batch: 4 of 4 file(s) written, 0 not")
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*_denoised.dcm"))
    assert written == [
        f"{UID_NAMES[0]}_denoised.dcm",  # the UID is the whole stem: nothing cut off
        f"{UID_NAMES[1]}_denoised.dcm",
        "plain_denoised.dcm",
        f"sub/{UID_NAMES[2]}_denoised.dcm",
    ]


def test_the_wizard_scan_reads_every_uid_named_dicom(uid_folder, drain):
    report = drain(scan_folder(uid_folder, patch_size=32, binning=1))
    assert sorted(image.record.path.name for image in report.readable) == sorted(
        [*UID_NAMES, "plain.dcm"]
    )
    # Only the two files that are no images are listed as unusable, with the reason.
    assert sorted((path.name, why) for path, why in report.unreadable) == [
        ("data.101", "no image suffix, and not DICOM (no preamble, no image attributes)"),
        ("notes.txt", "a .txt file, not an image (no image suffix, no DICOM preamble)"),
    ]
