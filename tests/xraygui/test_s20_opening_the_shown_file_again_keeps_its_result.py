"""Opening the frame on screen again, of a file unchanged on disk, keeps what was made of it.

Before, double-clicking the image shown in the Images list, choosing it in Open Recent or
dropping it again read it anew: its denoised result, steps and manual window were lost,
without a question. A file changed on disk since it was read (its size or mtime_ns) is read
again, as any other open is.
"""

import os
import shutil

import numpy as np
import pytest
import tifffile

pytestmark = pytest.mark.gui


def _denoised(window, qtbot, path):
    assert window.open_file(path)
    window.controls.steps.setValue(2)
    worker = window.start_denoise()
    with qtbot.waitSignal(worker.finished, timeout=30000):
        pass
    assert window.result is not None
    window.drag_window(30, 10)
    return window.result, window.trajectory, window.window_override


def test_the_shown_file_opened_again_keeps_its_result_and_window(
    window, qtbot, small_dicom, tmp_path, dialogs
):
    path = shutil.copy(small_dicom, tmp_path / "shown.dcm")
    result, trajectory, dragged = _denoised(window, qtbot, path)
    assert window.request_open(path)
    assert window.statusBar().currentMessage() == "Already open: shown.dcm"
    assert window.result is result and window.trajectory is trajectory
    assert window.window_override == dragged
    assert window.open_files([path])  # a drop, or the command line, of the same file
    assert window.result is result and not dialogs


def test_the_shown_file_changed_on_disk_is_read_again(window, qtbot, small_dicom, tmp_path):
    path = shutil.copy(small_dicom, tmp_path / "changed.dcm")
    result, _, _ = _denoised(window, qtbot, path)
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # written again
    assert window.request_open(path)
    assert window.result is None and window.source.source_path is not None
    assert window.statusBar().currentMessage() != "Already open: changed.dcm"
    assert window.request_open(path)  # now as read: not again
    assert window.statusBar().currentMessage() == "Already open: changed.dcm"


def test_another_frame_of_the_shown_file_opens(window, tmp_path):
    pages = np.stack([np.full((48, 64), 1000 * (k + 1), np.uint16) for k in range(3)])
    path = tmp_path / "pages.tif"
    tifffile.imwrite(path, pages, photometric="minisblack")
    assert window.open_file(path)
    assert window.request_open(path, frame=1)
    assert window.source.frame == 1 and window.frame_box.value() == 2
