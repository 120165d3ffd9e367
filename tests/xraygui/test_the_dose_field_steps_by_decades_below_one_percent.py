"""Below 1 % the dose field's arrows step by decades, never below what the quanta allow.

One Down arrow from 1 % went to 0.0000000001 %: the step of 1 clamped to the minimum.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox

from core.image import StoredMapping, Window, XrayImage
from xraygui.dialogs import SimulateDoseDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(qtbot):
    pixels = np.random.default_rng(0).normal(2000.0, 20.0, (64, 64)).astype(np.float32)
    image = XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )
    shown = SimulateDoseDialog(image)
    qtbot.addWidget(shown)
    shown.measure.setChecked(False)
    shown.show()
    qtbot.waitExposed(shown)
    shown.dose.setFocus()
    return shown


def _press(qtbot, dialog, key, times=1):
    shown = []
    for _ in range(times):
        qtbot.keyClick(dialog.dose, key)
        shown.append(dialog.dose.text())
    return shown


def test_down_from_one_percent_goes_a_decade_at_a_time_to_the_least_the_quanta_allow(qtbot, dialog):
    dialog.photons.setValue(50000.0)  # at least 0.002 %
    dialog.dose.setValue(3.0)
    assert _press(qtbot, dialog, Qt.Key.Key_Down, 6) == [
        "2 %",
        "1 %",
        "0.1 %",
        "0.01 %",
        "0.002 %",
        "0.002 %",
    ]
    assert dialog.ok_button.isEnabled() and dialog.settings().dose == 0.00002


def test_down_goes_to_the_smallest_dose_at_the_most_quanta(qtbot, dialog):
    dialog.photons.setValue(1e12)
    dialog.dose.setValue(1.0)
    shown = _press(qtbot, dialog, Qt.Key.Key_Down, 11)
    assert shown[0] == "0.1 %" and shown[-2:] == ["0.0000000001 %"] * 2
    assert dialog.settings().dose == 1e-12 and dialog.ok_button.isEnabled()


def test_up_goes_a_decade_at_a_time_to_one_percent_then_by_one(qtbot, dialog):
    dialog.dose.setValue(0.001)
    assert _press(qtbot, dialog, Qt.Key.Key_Up, 4) == ["0.01 %", "0.1 %", "1 %", "2 %"]
    dialog.dose.setValue(0.5)
    assert _press(qtbot, dialog, Qt.Key.Key_Up) == ["1 %"]  # not a decade past 1 %: 5 %
    dialog.dose.setValue(1.5)
    assert _press(qtbot, dialog, Qt.Key.Key_Down, 2) == ["1 %", "0.1 %"]  # the decade's start
    dialog.dose.setValue(99.5)
    assert _press(qtbot, dialog, Qt.Key.Key_Up, 2) == ["100 %", "100 %"]


def test_down_from_below_the_least_dose_does_not_go_up(qtbot, dialog):
    dialog.photons.setValue(50000.0)
    dialog.dose.setValue(0.0001)  # below 0.002 %: not taken, said so
    assert not dialog.ok_button.isEnabled()
    assert _press(qtbot, dialog, Qt.Key.Key_Down) == ["0.0001 %"]


def test_the_down_arrow_is_off_at_the_least_dose(qtbot, dialog):
    dialog.photons.setValue(50000.0)  # at least 0.002 %
    dialog.dose.setValue(0.005)
    down = QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
    assert dialog.dose.stepEnabled() & down
    _press(qtbot, dialog, Qt.Key.Key_Down)
    assert dialog.dose.text() == "0.002 %"
    assert not dialog.dose.stepEnabled() & down
    dialog.photons.setValue(1e12)  # more quanta: a lower floor, the arrow on again
    assert dialog.dose.stepEnabled() & down
