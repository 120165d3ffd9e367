"""Training names a frame of a multi-frame file from 1, "frame 3 of 3", as the CLI and app do."""

import logging
from pathlib import Path

import numpy as np

from core.diffusion.schedule import NoiseSchedule
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image
from core.training.data import ImageRecord, frame_records, load_images
from core.training.dose_validation import DoseValidator
from core.training.selection import Selection


def test_records_and_skipped_frames_are_numbered_from_1(tmp_path):
    records = frame_records(ImageRecord(tmp_path / "m.dcm", "p"), 3)
    assert [r.name for r in records][-1] == f"{tmp_path / 'm.dcm'} frame 3 of 3"
    selection = Selection(tuple(records[:2]), frozenset(), ((records[2], "too small"),))
    assert selection.skipped() == [(tmp_path / "m.dcm", "frame 3 of 3: too small")]

    def reader(path, frame):
        if frame == 2:
            raise ValueError("corrupt fragment")
        pixels = np.full((8, 8), frame, np.float32)
        return XrayImage(pixels, StoredMapping(8), Window(128, 256), frame=frame, n_frames=3)

    _, skipped = load_images([ImageRecord(tmp_path / "m.dcm", "p")], reader=reader)
    assert skipped == [(tmp_path / "m.dcm", "frame 3 of 3: corrupt fragment")]


def test_the_dose_validation_names_a_left_out_frame_from_1(three_frame_dicom, caplog):
    records = frame_records(ImageRecord(three_frame_dicom, "p"), 3)
    images = [read_image(three_frame_dicom, frame=k) for k in range(3)]
    flat = images[2].with_pixels(np.zeros_like(images[2].pixels), padding=None)  # clipped
    with caplog.at_level(logging.WARNING, logger="core.training.dose_validation"):
        DoseValidator(
            [*images[:2], flat],
            [r.name for r in records],
            doses=[0.5],
            photons_per_pixel=50_000.0,
            electronic_noise=4.0,
            crop=64,
            schedule=NoiseSchedule(),
        )
    (line,) = caplog.messages
    assert line.startswith(f"leaving {Path(three_frame_dicom)} frame 3 of 3 at dose 0.5 ")
