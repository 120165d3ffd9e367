"""The browser's thumbnails and the wizard's scan read every file of a folder for its pixels
only: they hash none (``read_image(..., digest=False)``), as opening or exporting one does."""

import pytest

from xraygui.catalog import ScanEntry, scan_images
from xraygui.wizard.scan import scan_folder

pytestmark = pytest.mark.gui


def test_the_browser_s_thumbnails_hash_no_file(three_frame_dicom, hashed):
    entries = list(scan_images([three_frame_dicom.parent]))
    assert [type(entry) for entry in entries] == [ScanEntry]
    assert hashed == []


def test_the_wizard_s_scan_hashes_no_file(three_frame_dicom, hashed, drain):
    report = drain(scan_folder(three_frame_dicom.parent, patch_size=32, binning=1))
    assert len(report.readable) == 3 and report.unreadable == []
    assert hashed == []
