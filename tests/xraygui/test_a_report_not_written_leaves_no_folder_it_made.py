"""A report that cannot be written (a full disk) leaves no empty folder made for it.

Folders that were there before, or that hold another program's file by then, are kept.
"""

import errno

import pytest

import xraygui.reports
from core.errors import ImageWriteError, XrayError

pytestmark = pytest.mark.gui


@pytest.fixture
def full_disk(monkeypatch):
    """Writing the report's files fails as on a full disk, after its folder was made."""

    def no_space(files):
        error = OSError(errno.ENOSPC, "No space left on device", str(next(iter(files))))
        raise ImageWriteError(next(iter(files)), "cannot be written") from error

    monkeypatch.setattr(xraygui.reports, "write_files", no_space)


def test_a_report_into_new_folders_on_a_full_disk_leaves_none(
    window, small_dicom, settle, tmp_path, full_disk
):
    assert window.open_file(small_dicom)
    settle(window)
    with pytest.raises(XrayError):
        window.export_report(tmp_path / "new" / "reports")
    assert not (tmp_path / "new").exists()


def test_a_folder_that_was_there_or_holds_a_file_is_kept(
    window, small_dicom, settle, tmp_path, full_disk, monkeypatch
):
    assert window.open_file(small_dicom)
    settle(window)
    (tmp_path / "kept").mkdir()
    with pytest.raises(XrayError):
        window.export_report(tmp_path / "kept" / "new")
    assert list((tmp_path / "kept").iterdir()) == []  # its new folder gone, it kept
    # Another program's file put in the new folder meanwhile keeps it and those above it.
    fail = xraygui.reports.write_files

    def another_file_meanwhile(files):
        (next(iter(files)).parent / "theirs.txt").write_text("x")
        fail(files)

    monkeypatch.setattr(xraygui.reports, "write_files", another_file_meanwhile)
    with pytest.raises(XrayError):
        window.export_report(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b" / "theirs.txt").exists()
