"""A list box narrower than its entry draws the entry with an ellipsis, whole in the tooltip.

At 853 x 480 logical pixels the timeline's mode read "Denoising st", cut mid-word, and
its tooltip did not say the entry.
"""

import pytest
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOptionComboBox

from xraygui.compact import ShrinkingComboBox

pytestmark = pytest.mark.gui

ENTRY = "Denoising steps"
TIP = "What the slider shows"


class _Recording(QProxyStyle):
    """A style that notes the text each list box label is drawn with."""

    def __init__(self) -> None:
        super().__init__()
        self.drawn: list[str] = []

    def drawControl(self, element, option, painter, widget=None):  # noqa: N802 (Qt's name)
        if element == QStyle.ControlElement.CE_ComboBoxLabel:
            self.drawn.append(option.currentText)
        super().drawControl(element, option, painter, widget)


@pytest.fixture
def box(qtbot):
    shown = ShrinkingComboBox(6)
    qtbot.addWidget(shown)
    shown.addItems([ENTRY, "Forward process q(x_t | x_0)"])
    shown.setToolTip(TIP)
    style = _Recording()
    shown.setStyle(style)
    shown.style_ = style  # kept alive with the box
    return shown


def test_a_cut_entry_ends_with_an_ellipsis_inside_the_box(qtbot, box):
    box.resize(box.minimumSizeHint())
    box.show()
    qtbot.waitExposed(box)
    box.style_.drawn.clear()
    box.grab()
    (drawn,) = box.style_.drawn
    assert drawn != ENTRY and drawn.endswith("\u2026") and ENTRY.startswith(drawn[:-1])
    option = QStyleOptionComboBox()
    box.initStyleOption(option)
    field = box.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, box
    )
    assert box.fontMetrics().horizontalAdvance(drawn) <= field.width()


def test_a_box_wide_enough_draws_its_entry_whole(qtbot, box):
    box.resize(box.sizeHint())
    box.show()
    qtbot.waitExposed(box)
    box.style_.drawn.clear()
    box.grab()
    assert box.style_.drawn == [ENTRY]


def test_the_tooltip_says_the_entry_then_what_the_box_is_for(box):
    assert box.toolTip() == f"{ENTRY}\n\n{TIP}"
    box.setCurrentIndex(1)
    assert box.toolTip() == f"Forward process q(x_t | x_0)\n\n{TIP}"


def test_every_list_box_of_the_denoise_panel_ends_a_cut_entry_with_an_ellipsis(qtbot):
    from PySide6.QtWidgets import QComboBox

    from xraygui.controls import ControlPanel

    panel = ControlPanel()
    qtbot.addWidget(panel)
    boxes = panel.findChildren(QComboBox)
    assert panel.model in boxes  # the model's name was cut mid-word: "Bundled (xray-dif"
    assert all(isinstance(box, ShrinkingComboBox) for box in boxes)
