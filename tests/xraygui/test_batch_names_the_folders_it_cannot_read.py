"""The app's batch names a folder it cannot list, in its table and summary, and goes on.

Before, ``os.walk`` passed over such a folder without a word: its images were in neither
the count nor the table. The tests run as root in CI, which lists any folder: the listing is
refused here as it is for another user (``os.scandir`` raising PermissionError).
"""

import csv
import errno
import os

import pytest

from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job

pytestmark = pytest.mark.gui


def test_a_folder_that_cannot_be_listed_is_a_row_and_is_counted_in_the_summary(
    refuse_listing, tmp_path, small_dicom, tiny_model_path, drain
):
    source, target = tmp_path / "in", tmp_path / "out"
    locked = source / "locked"
    locked.mkdir(parents=True)
    (source / "a.dcm").write_bytes(small_dicom.read_bytes())
    (locked / "b.dcm").write_bytes(small_dicom.read_bytes())
    refuse_listing(locked)
    options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu")
    summary = drain(batch_job(source, target, options))
    assert summary.startswith("Batch: 1 of 1 file(s) written, 0 not")
    assert "; 1 folder(s) could not be read (see the table)" in summary
    with open(target / "batch_metrics.csv", newline="", encoding="utf-8-sig") as table:
        rows = list(csv.DictReader(table))
    [row] = [row for row in rows if row["error"]]
    assert row["source"] == str(locked)
    assert row["error"] == f"the folder cannot be read: {os.strerror(errno.EACCES)}"
    assert (target / "a_denoised.dcm").exists()
