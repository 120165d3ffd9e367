"""The window's status line and the batch table name the precision the network ran in."""

import csv

import pytest
import torch

from core.device import inference_dtype, precision_label

pytestmark = pytest.mark.gui


def test_the_status_line_names_the_precision(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    assert window.result is not None
    assert f"network in {window.result.precision}; t* = " in window.controls.status.text()


def test_the_batch_table_names_the_precision(window, qtbot, tmp_path, small_dicom):
    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    (source / "a.dcm").write_bytes(small_dicom.read_bytes())
    worker = window.start_batch(source, target)
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass
    with open(target / "batch_metrics.csv", encoding="utf-8-sig", newline="") as f:
        (row,) = csv.DictReader(f)
    cpu = torch.device("cpu")
    assert row["precision"] == precision_label(inference_dtype(cpu, "auto"), cpu)
