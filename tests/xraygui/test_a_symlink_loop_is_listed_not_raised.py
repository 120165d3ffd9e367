"""A symbolic link loop is listed under "Could not be read" and does not stop a batch.

``Path.resolve()`` raises ``RuntimeError`` on a loop before Python 3.13: the browser
resolved every entry to drop duplicates, and the batch every input to leave out an output
folder inside the input folder. The first raised in the slot (the loop not listed), the
second stopped the batch as a bug.
"""

import csv

import pytest

from xraygui.browser import BrowserDock
from xraygui.catalog import scan_images
from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job

pytestmark = pytest.mark.gui


def test_the_browser_lists_a_link_loop_under_could_not_be_read(qtbot, tmp_path, small_dicom):
    (tmp_path / "a.dcm").write_bytes(small_dicom.read_bytes())
    (tmp_path / "loop.png").symlink_to("loop.png")
    dock = BrowserDock()
    qtbot.addWidget(dock)
    for entry in scan_images([tmp_path]):
        dock.add(entry)
    dock.add(next(e for e in scan_images([tmp_path]) if e.path.name == "loop.png"))  # again
    assert [entry.path.name for entry in dock._unreadable] == ["loop.png"]
    dock.show_current(tmp_path / "loop.png")  # a shown path that cannot be resolved


def test_a_batch_with_its_outputs_inside_its_inputs_goes_past_a_link_loop(
    tmp_path, small_dicom, tiny_model_path, drain
):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.dcm").write_bytes(small_dicom.read_bytes())
    (source / "loop.png").symlink_to("loop.png")
    target = source / "out"
    options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu")
    summary = drain(batch_job(source, target, options))
    assert summary.startswith("Batch: 1 of 2 file(s) written, 1 not")
    with open(target / "batch_metrics.csv", newline="", encoding="utf-8-sig") as table:
        rows = {row["source"]: row for row in csv.DictReader(table)}
    assert rows[str(source / "loop.png")]["error"]
    assert (target / "a_denoised.dcm").exists()
