"""A run folder that cannot be written is named with the reason, not said to be trained
elsewhere; a run locked by a live process still is."""

import shutil
import sys
from collections import namedtuple

import pytest
from PySide6.QtCore import QLockFile

from core.errors import ImageWriteError
from xraygui.wizard import lock as lock_module
from xraygui.wizard import process as process_module
from xraygui.wizard.lock import is_locked, run_lock
from xraygui.wizard.run_page import RunPage

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot, monkeypatch):
    """A Run page whose training process exits at once."""
    monkeypatch.setattr(
        process_module, "training_command", lambda spec, *, resume: (sys.executable, ["-c", ""])
    )
    page = RunPage()
    qtbot.addWidget(page)
    return page


def test_a_run_folder_gone_is_named_with_the_reason(page, new_run_spec):
    spec = new_run_spec()
    shutil.rmtree(spec.folder)  # removed by hand, or a share gone
    assert not is_locked(spec.output)  # no one holds it: it is not trained elsewhere
    page.start(spec)
    assert not page.process.is_running() and page.process.state == "idle"
    assert page.status.text() == (
        f"Not started: {spec.folder}: cannot write in this folder: No such file or directory"
    )
    assert "elsewhere" not in page.log.toPlainText()


class FailingLock:
    """A QLockFile whose file cannot be written, as on a full disk (Qt gives no reason)."""

    def tryLock(self, timeout):  # noqa: N802 (Qt's name)
        return False

    def error(self):
        return QLockFile.LockError.UnknownError


def test_a_full_disk_is_said(new_run_spec, monkeypatch):
    from xraygui.wizard.lock import take_run_lock

    spec = new_run_spec()
    monkeypatch.setattr(lock_module, "run_lock", lambda folder: FailingLock())
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(65536, 65536, 0))
    with pytest.raises(ImageWriteError) as raised:
        take_run_lock(spec.folder)
    assert str(raised.value) == (
        f"{spec.folder}: cannot write in this folder: No space left on device"
    )


def test_a_run_locked_by_a_live_holder_is_still_trained_elsewhere(page, new_run_spec):
    spec = new_run_spec()
    held = run_lock(spec.folder)
    assert held.tryLock(0)
    try:
        assert is_locked(spec.output)
        page.start(spec)
        assert not page.process.is_running()
        assert page.status.text() == (
            f"Not started: {spec.folder.name} is being trained elsewhere: following it."
        )
    finally:
        held.unlock()
