"""A PerFrameFunctionalGroupsSequence holds one item a frame; another count is refused.

A million empty items in a small file took 800 MB and seconds for each frame read.
"""

import pydicom
import pytest
from pydicom.dataset import Dataset

from core.errors import ImageReadError
from core.io import read_image


def _with_items(source, path, n_items, n_frames=None):
    ds = pydicom.dcmread(source)
    ds.PerFrameFunctionalGroupsSequence = [Dataset() for _ in range(n_items)]
    if n_frames is not None:
        ds.NumberOfFrames = n_frames
    ds.save_as(path)
    return path


def test_more_items_than_frames_are_refused(shipped, tmp_path):
    path = _with_items(shipped("CT_small.dcm"), tmp_path / "many.dcm", 1000)
    with pytest.raises(ImageReadError, match="holds 1000 items for 1 frame$"):
        read_image(path)


def test_one_item_a_frame_reads(shipped, tmp_path):
    path = _with_items(shipped("CT_small.dcm"), tmp_path / "one.dcm", 1, n_frames=1)
    assert read_image(path).n_frames == 1
