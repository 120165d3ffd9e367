"""An output derived from one that another version of the program wrote carries the notice
once, naming this version: a DICOM's ImageComments repeated "Not for diagnostic use.
Produced by xray-denoise ..." for every version the image had passed through."""

import numpy as np
import pydicom
import pytest
from PIL import Image, PngImagePlugin

from core.io import read_image, write_derived_dicom, write_image
from core.io.dicom_write import LT_MAX
from core.io.notice import not_for_diagnosis, with_notice

OLD = "Not for diagnostic use. Produced by xray-denoise 0.1.0+g0123456789ab"
OLDER = "Not for diagnostic use. Produced by xray-denoise 0.0.9+gffcad43ab009.dirty"
FILM = (np.arange(32 * 32, dtype=np.uint16).reshape(32, 32) % 4000) + 100


@pytest.mark.parametrize(
    ("description", "kept"),
    [
        ("", ""),
        (OLD, ""),
        (f"{OLDER}. {OLD}", ""),
        (f"pt. moved. {OLD}", "pt. moved"),
        (f"pt. moved. {OLDER}. {OLD}", "pt. moved"),
        ("pt. moved.", "pt. moved"),
    ],
)
def test_the_notice_of_any_version_is_replaced_by_this_one(description, kept):
    notice = not_for_diagnosis()
    expected = f"{kept}. {notice}" if kept else notice
    assert with_notice(description) == expected
    assert with_notice(expected) == expected


def _from_another_version(write_dx, tmp_path, comments):
    """A DICOM derived from a source commented `comments`, as another version wrote it."""
    image = read_image(write_dx(FILM, ImageComments=comments))
    derived = write_derived_dicom(image, tmp_path / "derived.dcm", description="denoised")
    ds = pydicom.dcmread(derived)
    ds.ImageComments = ds.ImageComments.replace(not_for_diagnosis(), OLD)
    ds.save_as(derived)
    return derived


def _derived_again(source, tmp_path):
    out = write_derived_dicom(read_image(source), tmp_path / "again.dcm", description="again")
    return pydicom.dcmread(out).ImageComments


def test_a_dicom_from_another_version_s_output_carries_this_notice_once(write_dx, tmp_path):
    source = _from_another_version(write_dx, tmp_path, "pt. moved, repeat requested")
    comments = _derived_again(source, tmp_path)
    assert comments == f"pt. moved, repeat requested. {not_for_diagnosis()}"


def test_a_comment_cut_by_another_version_keeps_its_mark(write_dx, tmp_path):
    source = _from_another_version(write_dx, tmp_path, "c" * LT_MAX)
    assert pydicom.dcmread(source).ImageComments.endswith(f"c... {OLD}")
    comments = _derived_again(source, tmp_path)
    assert len(comments) <= LT_MAX and comments.count("Not for diagnostic use") == 1
    assert comments.startswith("ccc") and comments.endswith(f"c... {not_for_diagnosis()}")


def test_a_png_from_another_version_s_output_keeps_its_history_and_this_notice(tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Description", f"simulated 10 % dose. {OLD}")
    Image.fromarray(FILM).save(tmp_path / "first.png", pnginfo=info)
    written = write_image(
        read_image(tmp_path / "first.png"), tmp_path / "second.png", description="denoised"
    )
    with Image.open(written) as png:
        described = png.info["Description"]
    assert described == f"simulated 10 % dose; denoised. {not_for_diagnosis()}"
