"""Training reads a multi-frame file up to its first unreadable frame: one warning a file."""

import logging

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.training.data import ImageRecord, load_images


def test_the_frames_after_the_first_bad_one_are_not_read(tmp_path, caplog):
    asked = []

    def reader(path, frame):
        asked.append(frame)
        if frame >= 2:
            raise ValueError("corrupt fragment")
        pixels = np.full((8, 8), frame, np.float32)
        return XrayImage(pixels, StoredMapping(8), Window(128, 256), frame=frame, n_frames=1000)

    path = tmp_path / "m.dcm"
    with caplog.at_level(logging.WARNING, logger="core.training.data"):
        images, skipped = load_images([ImageRecord(path, "p")], reader=reader)
    assert asked == [0, 1, 2]
    assert len(images) == 2
    reason = "frame 3 of 1000: corrupt fragment (its 997 later frame(s) not read)"
    assert skipped == [(path, reason)]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "997 later frame(s) not read" in warnings[0]
