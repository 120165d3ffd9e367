"""``take_run_lock`` and ``is_locked`` try a run folder's lock through one helper, which
tells a lock taken, one held by a live process and one that cannot be written apart."""

import pytest
from PySide6.QtCore import QLockFile

from xraygui.wizard import lock as lock_module

pytestmark = pytest.mark.gui


class FailingLock:
    """A QLockFile whose file cannot be written (a full disk, a read-only folder)."""

    def tryLock(self, timeout):  # noqa: N802 (Qt's name)
        return False

    def error(self):
        return QLockFile.LockError.UnknownError


def test_a_free_lock_is_taken_a_held_one_is_said_held(tmp_path):
    lock, held = lock_module._try_lock(tmp_path)
    assert lock is not None and lock.isLocked() and not held
    try:
        assert lock_module._try_lock(tmp_path) == (None, True)
        assert lock_module.take_run_lock(tmp_path) is None
    finally:
        lock.unlock()
    again, held = lock_module._try_lock(tmp_path)
    assert again is not None and not held
    again.unlock()


def test_a_lock_that_cannot_be_written_is_neither_taken_nor_held(tmp_path, monkeypatch):
    monkeypatch.setattr(lock_module, "run_lock", lambda folder: FailingLock())
    assert lock_module._try_lock(tmp_path) == (None, False)
