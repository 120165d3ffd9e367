"""View > Dark Interface: a dark Fusion palette, remembered, and the look before it restored.

Before, the image panes were black and everything around them the light desktop palette
(a white Metrics table, light docks), with no dark option for a dim reading room.
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QToolTip, QVBoxLayout, QWidget

from xraygui.exact_spinbox import WARNING_DARK_RED, WARNING_LIGHT_RED, ExactSpinBox
from xraygui.theme import (
    DARK_INTERFACE_KEY,
    dark_interface_on,
    dark_palette,
    set_dark_interface,
)

pytestmark = pytest.mark.gui

GROUPS = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled)
ROLES = [role for role in QPalette.ColorRole if role not in (QPalette.ColorRole.NColorRoles,)]


@pytest.fixture(autouse=True)
def light_after(qapp):
    """Leave the application in the look it had, whatever the test did."""
    yield
    set_dark_interface(False)


def _look() -> tuple:
    """The application's style, every colour of its palette and tooltips', and whether set."""
    palette, tips = QApplication.palette(), QToolTip.palette()
    return (
        QApplication.style().name(),
        [palette.color(group, role).name() for group in GROUPS for role in ROLES],
        [tips.color(group, role).name() for group in GROUPS for role in ROLES],
        QApplication.testAttribute(Qt.ApplicationAttribute.AA_SetPalette),
    )


def _window_lightness(widget=None) -> int:
    palette = QApplication.palette() if widget is None else widget.palette()
    return palette.color(QPalette.ColorRole.Window).lightness()


def _contrast(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(colour: QColor) -> float:
        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_light_is_the_default(window_on, settings):
    window = window_on(settings)
    assert not window.dark_action.isChecked() and not dark_interface_on()
    assert _window_lightness() >= 128


def test_the_choice_is_saved_and_a_new_window_starts_dark(window_on, settings, qtbot):
    first = window_on(settings)
    first.dark_action.setChecked(True)  # as View > Dark Interface does
    assert settings.value(DARK_INTERFACE_KEY, type=bool)
    assert QApplication.style().name() == "fusion"
    assert _window_lightness() < 80
    qtbot.waitUntil(lambda: _window_lightness(first.metrics_dock) < 80)  # the docks too
    first.close()
    set_dark_interface(False)  # as a new session starts
    assert _window_lightness() >= 128

    second = window_on(settings)
    assert second.dark_action.isChecked()
    assert _window_lightness() < 80


def test_switching_back_restores_the_look_the_app_had(window_on, settings, qtbot):
    before = _look()
    window = window_on(settings)
    window.dark_action.setChecked(True)
    assert _look() != before
    window.dark_action.setChecked(False)
    assert _look() == before
    assert not settings.value(DARK_INTERFACE_KEY, type=bool)
    assert window_on(settings).dark_action.isChecked() is False


def test_switching_back_restores_another_style(window_on, settings):
    before = QApplication.style().name()
    QApplication.setStyle("Windows")  # as -style windows would
    try:
        window = window_on(settings)
        window.dark_action.setChecked(True)
        assert QApplication.style().name() == "fusion"
        window.dark_action.setChecked(False)
        assert QApplication.style().name() == "windows"
    finally:
        QApplication.setStyle(before)


def test_warnings_and_fields_that_had_a_style_sheet_follow(qtbot, window_on, settings):
    window = window_on(settings)
    panel = QWidget()  # as the Denoise panel holds its fields
    qtbot.addWidget(panel)
    layout = QVBoxLayout(panel)
    field = ExactSpinBox(minimum=0.0, maximum=1.0, value=0.5)
    bad = ExactSpinBox(minimum=0.0, maximum=1.0, value=0.5)
    coloured = QLineEdit("text")
    coloured.setStyleSheet("color: #e0a000")  # a sheet that sets a colour, unchanged after
    for widget in (field, bad, coloured):
        layout.addWidget(widget)
    with qtbot.waitExposed(panel):  # polished, as in a window; typed into once shown
        panel.show()
    field.lineEdit().setText("5")  # red a moment: the field has had a style sheet
    field.lineEdit().setText("0.5")
    bad.lineEdit().setText("5")  # not taken: red
    widgets = (field, field.lineEdit(), bad, bad.lineEdit(), coloured)

    def shown(red: str, dark: bool) -> bool:
        bases = [w.palette().color(QPalette.ColorRole.Base).lightness() for w in widgets]
        return (
            red in bad.lineEdit().styleSheet()
            and red in window.controls.warning.styleSheet()
            and all((base < 80) == dark for base in bases)
        )

    window.dark_action.setChecked(True)
    qtbot.waitUntil(lambda: shown(WARNING_LIGHT_RED, dark=True), timeout=2000)
    window.dark_action.setChecked(False)
    qtbot.waitUntil(lambda: shown(WARNING_DARK_RED, dark=False), timeout=2000)


def test_the_dark_palette_reads():
    palette = dark_palette()
    role = QPalette.ColorRole
    assert palette.color(role.Window).lightness() < 80
    pairs = (
        (role.WindowText, role.Window),
        (role.Text, role.Base),
        (role.Text, role.AlternateBase),
        (role.ButtonText, role.Button),
        (role.HighlightedText, role.Highlight),
        (role.ToolTipText, role.ToolTipBase),
        (role.Link, role.Base),
    )
    for text, background in pairs:
        for group, least in (
            (QPalette.ColorGroup.Active, 4.5),
            (QPalette.ColorGroup.Inactive, 4.5),
            (QPalette.ColorGroup.Disabled, 3.0),  # greyed, still legible
        ):
            ratio = _contrast(palette.color(group, text), palette.color(group, background))
            assert ratio >= least, (text, background, group, ratio)
    assert _contrast(QColor(WARNING_LIGHT_RED), palette.color(role.Window)) >= 4.5
