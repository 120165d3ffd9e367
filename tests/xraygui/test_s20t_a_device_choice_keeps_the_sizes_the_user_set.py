"""Choosing a device sets the memory-based sizes the user has not changed, and only those."""

import pytest

from core.device import free_memory_bytes, select_device
from xraygui.wizard.training_page import TrainingPage, default_batch

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot):
    page = TrainingPage(None)
    qtbot.addWidget(page)
    return page


def _cpu_defaults():
    return default_batch(free_memory_bytes(select_device("cpu")))


def test_a_device_choice_keeps_the_patch_and_batch_size_the_user_set(page):
    page.patch.setValue(32)
    page.batch.setValue(3)  # no default: those are 96 px and 4, 8 or 16
    page.device.setCurrentText("cpu")
    assert (page.patch.value(), page.batch.value()) == (32, 3)
    assert "not changed" in page.memory.text()


def test_a_device_choice_sets_the_size_the_user_left(page):
    page.batch.setValue(3)
    page.device.setCurrentText("cpu")
    assert (page.patch.value(), page.batch.value()) == (_cpu_defaults()[0], 3)


def test_untouched_sizes_follow_the_device(page):
    page.device.setCurrentText("cpu")
    assert (page.patch.value(), page.batch.value()) == _cpu_defaults() and not page.edited
