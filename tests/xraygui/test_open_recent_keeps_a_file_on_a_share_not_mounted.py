"""Open Recent keeps a file whose folder is missing or empty, as on a share not mounted.

Before, any recent file not found left the list for good, a file on a share or a USB
stick not mounted included, while the model picker keeps a model there. Now it leaves
only where its folder is there and holds other files, and the message says which.
"""

import shutil

import pytest

pytestmark = pytest.mark.gui

KEPT = "kept in Open Recent: its folder is missing or empty, as a share not mounted"


@pytest.fixture
def recent(window, tmp_path, small_dicom, ramp):
    """A file opened from `share/study`, then another: both in Open Recent."""
    folder = tmp_path / "share" / "study"
    folder.mkdir(parents=True)
    path = shutil.copy(small_dicom, folder / "a.dcm")
    assert window.open_file(path)
    assert window.open_file(ramp)
    entry = str(path.resolve())
    assert entry in window.recent_files()
    return path, entry


def test_a_file_whose_folder_is_missing_stays_listed(window, recent, dialogs, small_dicom):
    path, entry = recent
    shutil.rmtree(path.parent.parent)  # the share is not mounted: its folders are gone
    window._open_recent(entry)
    assert dialogs == [("critical", "Cannot open image", f"{entry}: file not found; {KEPT}")]
    assert entry in window.recent_files()
    path.parent.mkdir(parents=True)  # mounted again
    shutil.copy(small_dicom, path)
    window._open_recent(entry)
    assert window.source.source_path == path


def test_a_file_whose_folder_is_an_empty_mount_point_stays_listed(window, recent, dialogs):
    path, entry = recent
    path.unlink()  # the folder stays, empty, as an unmounted share's mount point does
    window._open_recent(entry)
    assert dialogs == [("critical", "Cannot open image", f"{entry}: file not found; {KEPT}")]
    assert entry in window.recent_files()


def test_a_file_gone_from_a_folder_holding_others_leaves_the_list(
    window, recent, dialogs, small_dicom
):
    path, entry = recent
    shutil.copy(small_dicom, path.parent / "b.dcm")
    path.unlink()
    window._open_recent(entry)
    assert dialogs == [
        ("critical", "Cannot open image", f"{entry}: file not found; removed from Open Recent")
    ]
    assert entry not in window.recent_files()
    assert entry not in [action.text() for action in window.recent_menu.actions()]
