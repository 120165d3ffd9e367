"""A multi-frame file's thumbnail on the Data page is its first frame that is not blank:
one whose first frame is blank (left out, as training leaves it) showed that blank frame.
The Noise page previews that frame too (it read frame 1 of the file, blank)."""

import numpy as np
import pytest
from PIL import Image

from core.io import read_image
from core.io.dicom_write import write_dataset
from xraygui.wizard.scan import scan_folder, thumbnail

pytestmark = pytest.mark.gui


def _two_frames(frames_dataset, path, first):
    """Write a 2-frame DICOM: ``first`` (rows x cols), then a smooth, noisy film."""
    rng = np.random.default_rng(3)
    _, xx = np.mgrid[0:128, 0:128]
    film = 2000 + 900 * np.sin(xx / 9) + rng.normal(0, 40, xx.shape)
    ds = frames_dataset(np.stack([first, film]), patient_id="P1")
    return write_dataset(ds, path)


def test_the_thumbnail_is_the_first_frame_that_is_not_blank(frames_dataset, tmp_path, drain):
    path = _two_frames(frames_dataset, tmp_path / "mf.dcm", np.full((128, 128), 500))
    report = drain(scan_folder(tmp_path))
    assert report.n_usable == 1  # frame 2; frame 1 is blank
    ((shown, grey),) = report.usable_thumbnails()
    assert shown == path and grey.min() < grey.max()
    expected = thumbnail(read_image(path, frame=1, digest=False))
    np.testing.assert_array_equal(grey, expected)


def test_a_file_with_only_blank_frames_has_no_thumbnail(frames_dataset, tmp_path, drain):
    Image.fromarray(np.full((128, 128), 40, np.uint8)).save(tmp_path / "a_flat.png")
    path = _two_frames(frames_dataset, tmp_path / "b_mf.dcm", np.full((128, 128), 500))
    report = drain(scan_folder(tmp_path))
    assert [p for p, _ in report.thumbnails] == [path]  # the blank file takes no place


def test_the_noise_page_previews_the_thumbnails_frame(frames_dataset, tmp_path, drain, qtbot):
    from xraygui.wizard.noise_page import NoisePage

    path = _two_frames(frames_dataset, tmp_path / "mf.dcm", np.full((128, 128), 500))
    report = drain(scan_folder(tmp_path))
    assert report.preview == (path, 1)  # frame 2: frame 1 is blank
    page = NoisePage()
    qtbot.addWidget(page)
    shown, frame = report.preview
    page.set_image(shown, frame=frame)
    page.update_preview()
    assert page._image is not None and page._image.pixels.min() < page._image.pixels.max()
