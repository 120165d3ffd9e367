"""File > Open Recent keeps the last 10 files opened, newest first (the user guide's word)."""

import pytest

from core.io import write_new_dicom
from core.noise import phantom_image

pytestmark = pytest.mark.gui


def test_open_recent_lists_the_ten_files_opened_last_newest_first(window, tmp_path):
    paths = []
    for i in range(12):
        path = tmp_path / f"image{i:02d}.dcm"
        write_new_dicom(phantom_image((32, 32), seed=i), path)
        assert window.open_file(path)
        paths.append(str(path.resolve()))
    assert window.recent_files() == paths[::-1][:10]
    window.recent_menu.aboutToShow.emit()
    files = [a.text() for a in window.recent_menu.actions() if not a.isSeparator()][:-1]
    assert files == paths[::-1][:10]  # then Clear Recent Files
