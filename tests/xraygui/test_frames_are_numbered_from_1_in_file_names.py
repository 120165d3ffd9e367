"""A frame is numbered from 1 in the names the app suggests, as the frame box numbers it.

The exported image's name and the report's files carry ``frame003`` for frame 3 of 3,
so that two frames' reports are told apart by their names, not by a ``_2`` counter; so
do a report's files without identifiers, named by the file's hash rather than its name.
"""

import hashlib

import pytest

pytestmark = pytest.mark.gui


def test_the_frame_box_number_names_the_export_and_the_report(
    window, denoise_quickly, three_frame_dicom, tmp_path
):
    for frame in (3, 1):
        window.open_file(three_frame_dicom, frame=frame - 1)
        assert window.frame_box.value() == frame
        assert window.export_stem() == f"mf_frame{frame:03d}_denoised"
        denoise_quickly(window)
        paths = window.export_report(tmp_path, include_identifiers=True)
        assert [p.name for p in paths] == [
            f"mf_frame{frame:03d}_report{suffix}" for suffix in (".pdf", ".json", ".csv")
        ]
        digest = hashlib.sha256(three_frame_dicom.read_bytes()).hexdigest()[:12]
        assert [p.name for p in window.export_report(tmp_path)] == [
            f"image_{digest}_frame{frame:03d}_report{suffix}"
            for suffix in (".pdf", ".json", ".csv")
        ]


def test_a_single_frame_report_has_no_frame_in_its_name(window, small_dicom, tmp_path):
    window.open_file(small_dicom)
    assert window.export_report(tmp_path, include_identifiers=True)[0].name == "phantom_report.pdf"
    digest = hashlib.sha256(small_dicom.read_bytes()).hexdigest()[:12]
    assert window.export_report(tmp_path)[0].name == f"image_{digest}_report.pdf"
