"""Encapsulated pixel data with fewer fragments than NumberOfFrames are refused at once.

Each frame takes one fragment at least, so a 9 KB RLE file of one fragment that claims a
million frames is damaged or hostile: reading its frames one by one would grind through
them all. An offset table with an offset for every frame is trusted instead.
"""

import pydicom
import pytest
from pydicom.encaps import encapsulate, get_frame

from core.errors import ImageReadError
from core.io import read_image


def _claiming(source, path, n_frames, *, offset_table=False):
    ds = pydicom.dcmread(source)
    if offset_table:
        frame = get_frame(ds.PixelData, 0)
        ds.PixelData = encapsulate([frame] * n_frames, has_bot=True)  # one frame each
    ds.NumberOfFrames = n_frames
    ds.save_as(path)
    return path


def test_more_frames_than_fragments_are_refused(shipped, tmp_path):
    path = _claiming(shipped("MR_small_RLE.dcm"), tmp_path / "claims.dcm", 1_000_000)
    with pytest.raises(ImageReadError, match="holds 1 fragment for 1000000 frames"):
        read_image(path, frame=0)


def test_a_fragment_a_frame_reads_every_frame(shipped, tmp_path):
    path = _claiming(shipped("MR_small_RLE.dcm"), tmp_path / "three.dcm", 3, offset_table=True)
    first = read_image(path, frame=0)
    last = read_image(path, frame=2)
    assert last.n_frames == 3
    assert (last.pixels == first.pixels).all()
