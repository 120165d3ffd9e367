"""In a narrow window pane titles are cut with an ellipsis inside their pane, and the
timeline's slider keeps its room: its label has a line of its own under it.

Before, titles spilled into the neighbouring panes at 1280 x 800, and the slider shrank
to 80 px beside a label wrapped over four lines.
"""

import pytest
from PySide6.QtGui import QFontMetrics

from xraygui.timeline import SLIDER_MIN_WIDTH, TimelineWidget

pytestmark = pytest.mark.gui

LONG = "After: step 12/50 (x0 prediction; steps kept at 1/2 size; running)"


def _drawn(title):
    return QFontMetrics(title.item.font()).horizontalAdvance(title.item.toPlainText())


def test_titles_are_elided_to_their_pane_with_the_whole_in_the_tooltip(window, qtbot):
    window.resize(1280, 800)
    window.residual_action.setChecked(True)
    window.uncertainty_action.setChecked(True)
    window.views.panes["after"].set_title(LONG)
    qtbot.wait(50)
    for name, pane in window.views.panes.items():
        title = pane.title
        assert _drawn(title) <= title.width() <= pane.width(), name
    after = window.views.panes["after"].title
    assert after.text == LONG and after.item.toPlainText().endswith("\u2026")
    assert after.toolTip() == LONG
    window.uncertainty_action.setChecked(False)
    window.residual_action.setChecked(False)
    window.resize(1900, 800)
    qtbot.wait(50)
    assert after.item.toPlainText() == LONG  # wide again: whole


@pytest.mark.parametrize("width", [560, 1400])
def test_the_slider_keeps_its_room_and_the_label_a_line_under_it(qtbot, width):
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.set_label("step 2/3   x0 predicted at t = 13.5   sigma = 0.03115")
    timeline.resize(width, 50)
    timeline.show()
    qtbot.wait(20)
    slider, label = timeline.slider.geometry(), timeline.label.geometry()
    assert slider.width() >= SLIDER_MIN_WIDTH
    assert label.top() >= slider.bottom()
    lines = timeline.label.heightForWidth(label.width()) / timeline.label.fontMetrics().height()
    assert lines < 2
