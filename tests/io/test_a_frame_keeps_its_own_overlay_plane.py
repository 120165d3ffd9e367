"""A frame read from a multi-frame image keeps its own plane of a multi-frame overlay.

An overlay group of NumberOfFramesInOverlay planes (from ImageFrameOrigin) was copied
whole into the single-frame derived image: a viewer showed the first plane over frame
3 and read a 3-frame overlay. The reader now leaves the header the frame's plane alone,
without the two attributes, or leaves a group with no plane for the frame out, with a
warning; the DICOM export of the app, which writes the header read, gets the same.
"""

import numpy as np
import pydicom
import pytest
from pydicom.pixels import pack_bits
from pydicom.tag import Tag
from pydicom.uid import UID, ExplicitVRBigEndian

from core.errors import XrayWarning
from core.io import read_image, write_image
from core.io.dicom_write import OVERLAY_LABEL, write_dataset

XA = UID("1.2.840.10008.5.1.4.1.1.12.1")
FRAMES, ROWS, COLS = 3, 24, 32


def planes(count):
    """Overlay planes, each a band of rows of its own (plane k: rows 5k .. 5k + 4)."""
    bits = np.zeros((count, ROWS, COLS), dtype=np.uint8)
    for k in range(count):
        bits[k, 5 * k : 5 * k + 5, 2:30] = 1
    return bits


def source(frames_dataset, tmp_path, *, overlay_frames=FRAMES, origin=1, big_endian=False):
    """A 3-frame XA whose group 6000 holds `overlay_frames` planes from frame `origin`."""
    rng = np.random.default_rng(4)
    frames = rng.integers(500, 3000, size=(FRAMES, ROWS, COLS), dtype=np.uint16)
    ds = frames_dataset(frames, patient_id="XA-2", description="run", modality="XA")
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = XA
    for tag in [tag for tag in ds.keys() if 0x6000 <= tag.group < 0x6020]:
        del ds[tag]  # the notice overlay of the writer
    data = pack_bits(planes(overlay_frames).reshape(-1))
    for element, vr, value in [
        (0x0010, "US", ROWS),
        (0x0011, "US", COLS),
        (0x0015, "IS", overlay_frames),  # NumberOfFramesInOverlay
        (0x0040, "CS", "G"),
        (0x0050, "SS", [1, 1]),
        (0x0051, "US", origin),  # ImageFrameOrigin
        (0x0100, "US", 1),
        (0x0102, "US", 0),
        (0x3000, "OW", data),
    ]:
        ds.add_new(Tag(0x6000, element), vr, value)
    path = tmp_path / "xa.dcm"
    if big_endian:
        ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian
        ds.PixelData = frames.astype(">u2").tobytes()
        ds[0x6000, 0x3000].value = np.frombuffer(data, "<u2").astype(">u2").tobytes()
        ds.save_as(path, enforce_file_format=True)
        return path
    return write_dataset(ds, path)


def written(tmp_path, path, frame):
    out = write_image(
        read_image(path, frame=frame), tmp_path / f"frame{frame}.dcm", description="denoised"
    )
    return pydicom.dcmread(out)


@pytest.mark.parametrize("big_endian", [False, True])
@pytest.mark.parametrize("frame", range(FRAMES))
def test_each_frame_written_shows_its_own_overlay_plane(
    frames_dataset, tmp_path, frame, big_endian
):
    ds = written(tmp_path, source(frames_dataset, tmp_path, big_endian=big_endian), frame)
    np.testing.assert_array_equal(ds.overlay_array(0x6000), planes(FRAMES)[frame])
    assert Tag(0x6000, 0x0015) not in ds and Tag(0x6000, 0x0051) not in ds


def test_an_overlay_from_a_later_frame_gives_the_frame_its_plane(frames_dataset, tmp_path):
    """Planes 1 and 2 of an overlay from frame 2 are frames 2 and 3's."""
    path = source(frames_dataset, tmp_path, overlay_frames=2, origin=2)
    ds = written(tmp_path, path, 2)
    np.testing.assert_array_equal(ds.overlay_array(0x6000), planes(2)[1])


def test_a_frame_the_overlay_does_not_cover_is_written_without_it(frames_dataset, tmp_path):
    path = source(frames_dataset, tmp_path, overlay_frames=2, origin=2)
    with pytest.warns(XrayWarning, match="overlay group 6000 has no overlay plane for frame 1"):
        image = read_image(path, frame=0)
    assert not any(tag.group == 0x6000 for tag in image.dataset.keys())
    ds = pydicom.dcmread(write_image(image, tmp_path / "frame0.dcm", description="denoised"))
    groups = {tag.group for tag in ds.keys() if 0x6000 <= tag.group < 0x6020}
    assert all(ds.get((group, 0x1500)).value == OVERLAY_LABEL for group in groups)  # notice only
