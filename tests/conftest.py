"""Test-wide set-up: Qt runs offscreen, whoever starts pytest."""

import logging
import os

import numpy as np
import pytest

from core.io.dicom_write import new_dataset, write_dataset

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def three_frame_dicom(tmp_path):
    """A 3-frame 12-bit DICOM with a smooth, noisy film in each frame."""
    rng = np.random.default_rng(6)
    _, xx = np.mgrid[0:64, 0:64]
    frames = np.stack(
        [2000 + 900 * np.sin(xx / (9 + k)) + rng.normal(0, 40, xx.shape) for k in range(3)]
    ).astype(np.uint16)
    ds = new_dataset(
        frames[0],
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id="SYN-3",
        description="three frames",
        modality="CR",
        window=None,
    )
    ds.set_pixel_data(frames, "MONOCHROME2", 12)
    path = tmp_path / "in" / "mf.dcm"
    path.parent.mkdir()
    return write_dataset(ds, path)


@pytest.fixture
def drain():
    """Return a function that runs a generator to its end and returns its value."""

    def run_to_end(generator):
        while True:
            try:
                next(generator)
            except StopIteration as stop:
                return stop.value

    return run_to_end


@pytest.fixture
def restore_logging():
    """Put the root logger back as it was: a training run adds its log file's handler."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[len(handlers) :]:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
