"""A narrow pane's title keeps the Residual's grey scale and the simulated dose.

At 1600 px the Residual pane read "Residual (before - denoised result), grey ±414 pixel
val…": the scale came after a long name and was cut off; a Before pane's "(seed 0)" was
cut, and with it the dose before it. Asides in parentheses now go first.
"""

import pytest
from PySide6.QtGui import QFontMetrics

from xraygui.panes import PaneTitle
from xraygui.reports import residual_title

pytestmark = pytest.mark.gui


def _room(title: PaneTitle, text: str) -> float:
    """The label width that just holds `text`."""
    margin = 2 * title.item.document().documentMargin()
    return QFontMetrics(title.item.font()).horizontalAdvance(text) + margin + 1


def test_the_residual_title_puts_its_scale_first_and_keeps_it(qtbot):
    text = residual_title(414.0)
    assert text == "Residual, grey ±414 pixel values (Before - final result)"
    title = PaneTitle("")
    title.setText(text)
    kept = "Residual, grey ±414 pixel values\u2026"
    assert title._elided(_room(title, kept)) == kept


def test_the_before_title_drops_the_seed_before_the_dose(qtbot):
    title = PaneTitle("")
    text = "Before: simulated 10 % dose (seed 0) | After (drag the divider)"
    title.setText(text)
    kept = "Before: simulated 10 % dose | After\u2026"
    assert title._elided(_room(title, kept)) == kept
    assert title.text == text and title.toolTip() == text
