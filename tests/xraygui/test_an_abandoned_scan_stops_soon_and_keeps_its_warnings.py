"""An abandoned wizard scan stops between two files' headers (it read every header before
it could stop), and the patient-table warnings a scan collects are its own, not those of
another scan running in another thread."""

import logging
import threading

import numpy as np
import pytest
from PIL import Image

import xraygui.wizard.scan as scan
from core.training.patient_table import log as patient_table_log
from xraygui.wizard.scan import scan_folder

pytestmark = pytest.mark.gui


def test_the_scan_can_stop_between_two_headers(tmp_path, monkeypatch):
    film = np.random.default_rng(0).integers(1000, 3000, (64, 64)).astype(np.uint16)
    for index in range(5):
        Image.fromarray(film).save(tmp_path / f"film{index}.png")
    read = []
    real_read_header = scan.read_header

    def counting(path):
        read.append(path.name)
        return real_read_header(path)

    monkeypatch.setattr(scan, "read_header", counting)
    steps = scan_folder(tmp_path, patch_size=32, binning=1)
    assert next(steps) == (0, 0)
    assert next(steps) == (0, 5)  # the folder walked, no header read yet
    assert read == []
    assert next(steps) == (0, 5)
    assert read == ["film0.png"]  # a scan abandoned here reads no other file
    steps.close()
    assert read == ["film0.png"]


def test_warnings_of_another_thread_are_not_collected():
    started, logged = threading.Event(), threading.Event()

    def other_scan():
        started.wait(5)
        patient_table_log.warning("another scan's table")
        logged.set()

    thread = threading.Thread(target=other_scan)
    thread.start()
    with scan._warnings_of(patient_table_log) as notes:
        started.set()
        assert logged.wait(5)
        patient_table_log.warning("this scan's table")
    thread.join(5)
    assert notes == ["this scan's table"]
    assert not any(isinstance(h, logging.Handler) and h.filters for h in patient_table_log.handlers)
