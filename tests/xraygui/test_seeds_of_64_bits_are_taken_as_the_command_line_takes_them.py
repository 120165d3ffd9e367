"""The panel's and the dose dialog's seed take any seed up to 2**64 - 1, as the CLI does.

Qt's spin box stopped at 2**31 - 1 (a typed larger seed became 0, ``setValue`` raised
OverflowError), so a DDPM run or a simulation of the command line with a larger seed,
which its outputs record, could not be repeated in the app.
"""

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication

from core.denoise.settings import MAX_SEED
from core.io import read_image
from core.noise import LowDoseSettings
from xraygui.dialogs import SimulateDoseDialog
from xraygui.seed_box import SeedBox

pytestmark = pytest.mark.gui


def test_a_seed_is_taken_as_typed_up_to_64_bits(qtbot):
    box = SeedBox()
    qtbot.addWidget(box)
    seen = []
    box.valueChanged.connect(seen.append)
    box.setFocus()
    qtbot.keyClicks(box, "1099511627776")
    assert box.value() == 2**40 and seen[-1] == 2**40  # taken as typed (keyboard tracking)
    box.setText("")
    qtbot.keyClicks(box, str(MAX_SEED))
    assert box.value() == MAX_SEED
    qtbot.keyClick(box, Qt.Key.Key_Up)  # no further
    assert box.value() == MAX_SEED and box.text() == str(MAX_SEED)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.value() == MAX_SEED - 1
    box.setText("")
    qtbot.keyClicks(box, str(MAX_SEED + 1))  # its last digit too many: not typed
    assert box.text() == str(MAX_SEED + 1)[:-1] and box.value() == int(box.text())
    box.setText("")  # no seed: the one before it is kept, and shown on leaving
    assert box.value() == int(str(MAX_SEED + 1)[:-1])
    box.focusOutEvent(QFocusEvent(QEvent.Type.FocusOut))
    assert box.text() == str(MAX_SEED + 1)[:-1]
    box.setValue(-5)
    assert box.value() == 0


def test_the_panel_remembers_and_uses_a_large_seed(window, tmp_path):
    window.controls.seed.setValue(2**63 + 5)
    assert window.controls.options().seed == 2**63 + 5
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window.controls.save(settings)
    window.controls.seed.setValue(0)
    window.controls.restore(settings)
    assert window.controls.seed.value() == 2**63 + 5


def test_the_dose_dialog_takes_and_shows_a_large_seed(qtbot, small_dicom):
    last = LowDoseSettings(dose=0.5, photons_per_pixel=2000.0, seed=2**50 + 1)
    dialog = SimulateDoseDialog(read_image(small_dicom), last=last)
    qtbot.addWidget(dialog)
    assert dialog.seed.text() == str(2**50 + 1)
    assert dialog.settings().seed == 2**50 + 1


@pytest.mark.parametrize("pasted", [" 42", "42\n", "42 ", "+42"])
def test_a_seed_pasted_with_spaces_or_a_sign_is_taken(qtbot, pasted):
    # Copied from a terminal or a report, a seed often ends a line; a spin box took it.
    box = SeedBox(7)
    qtbot.addWidget(box)
    QApplication.clipboard().setText(pasted)
    box.selectAll()
    box.paste()
    assert (box.text(), box.value()) == ("42", 42)
