"""Numbers pasted into the dose dialog's exact fields: spaces and thousands separators go."""

import pytest
from PySide6.QtGui import QValidator

from xraygui.exact_spinbox import ExactSpinBox

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("pasted", "value"),
    [(" 5", 5.0), ("5 \n", 5.0), ("19,899", 19899.0), ("1,234,567.25", 1234567.25)],
)
def test_a_pasted_number_is_read_without_spaces_or_separators(qtbot, pasted, value):
    box = ExactSpinBox(minimum=0.0, maximum=1e7, value=1.0)
    qtbot.addWidget(box)
    state, text, _pos = box.validate(pasted, len(pasted))
    assert state == QValidator.State.Acceptable
    assert box.valueFromText(text) == value


@pytest.mark.parametrize("typed", ["1,5", "12,34"])
def test_a_comma_that_groups_no_thousands_is_kept_but_not_taken(qtbot, typed):
    box = ExactSpinBox(minimum=0.0, maximum=1e7, value=1.0)
    qtbot.addWidget(box)
    # Intermediate: kept as typed (never a character dropped), not a number yet ("1,500" is).
    assert box.validate(typed, len(typed))[0] == QValidator.State.Intermediate


def test_letters_are_not_a_number(qtbot):
    box = ExactSpinBox(minimum=0.0, maximum=1e7, value=1.0)
    qtbot.addWidget(box)
    assert box.validate("abc", 3)[0] == QValidator.State.Invalid
