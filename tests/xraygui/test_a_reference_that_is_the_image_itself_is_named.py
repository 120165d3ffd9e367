"""A reference that is the image being denoised, or holds its very pixels, is taken with a
warning: its metrics compare the image with itself (MSE 0, PSNR inf)."""

import shutil

import pytest

pytestmark = pytest.mark.gui

ITSELF = "the metrics compare it with itself"


def test_the_image_itself_as_reference_is_warned_of(
    window, small_dicom, monochrome1_dicom, tmp_path
):
    assert window.open_file(small_dicom)
    assert window.set_reference(small_dicom)
    message = window.statusBar().currentMessage()
    assert message == (
        f"Warning: the reference is the image being denoised (phantom.dcm): {ITSELF}"
    )
    copy = shutil.copy(small_dicom, tmp_path / "copy.dcm")
    assert window.set_reference(copy)
    assert window.statusBar().currentMessage() == (
        "Warning: the reference (copy.dcm) holds the very pixels of the image being "
        f"denoised (phantom.dcm): {ITSELF}"
    )
    window.statusBar().clearMessage()
    assert window.set_reference(monochrome1_dicom)
    assert ITSELF not in window.statusBar().currentMessage()
