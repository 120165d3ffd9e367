"""The dark interface (View > Dark Interface): Fusion with a dark palette, and back.

Radiologists read in dim rooms, where a light window around the black image panes dazzles.
The style and palette are the application's, so every window and dialog takes them (the
training wizard, the dose dialog, message boxes, tooltips). The image panes are black in
either look (:mod:`xraygui.panes`), and warning text follows the window colour
(:func:`xraygui.exact_spinbox.warning_colour`).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

DARK_INTERFACE_KEY = "view/dark_interface"
"""The main window's setting: True where the dark interface is chosen (light by default)."""
DARK_STYLE = "Fusion"
"""The style that draws every part from the palette (a platform style may not)."""

_ROLE = QPalette.ColorRole
DARK_COLOURS: dict[QPalette.ColorRole, str] = {
    _ROLE.Window: "#2b2b2b",
    _ROLE.WindowText: "#e0e0e0",
    _ROLE.Base: "#1e1e1e",
    _ROLE.AlternateBase: "#2b2b2b",
    _ROLE.Text: "#e0e0e0",
    _ROLE.PlaceholderText: "#9a9a9a",
    _ROLE.Button: "#3a3a3a",
    _ROLE.ButtonText: "#e0e0e0",
    _ROLE.BrightText: "#ffffff",
    _ROLE.Light: "#505050",
    _ROLE.Midlight: "#404040",
    _ROLE.Mid: "#303030",
    _ROLE.Dark: "#1a1a1a",
    _ROLE.Shadow: "#0a0a0a",
    _ROLE.Highlight: "#2f65ad",
    _ROLE.HighlightedText: "#ffffff",
    _ROLE.Accent: "#2f65ad",
    _ROLE.Link: "#7ab8ff",
    _ROLE.LinkVisited: "#c09cff",
    _ROLE.ToolTipBase: "#3a3a3a",
    _ROLE.ToolTipText: "#e0e0e0",
}
"""The dark palette of enabled widgets: light grey text at 8:1 or more on its backgrounds,
white on the highlight at 5.9:1."""
DARK_DISABLED: dict[QPalette.ColorRole, str] = {
    _ROLE.WindowText: "#8c8c8c",
    _ROLE.Text: "#8c8c8c",
    _ROLE.ButtonText: "#8c8c8c",
    _ROLE.PlaceholderText: "#6a6a6a",
    _ROLE.Highlight: "#4a4a4a",
    _ROLE.HighlightedText: "#b0b0b0",
}
"""Where disabled widgets differ: greyed text, still 3:1 or more on its background."""


def dark_palette() -> QPalette:
    """Return the palette of the dark interface.

    Returns
    -------
    QPalette
        :data:`DARK_COLOURS` in every colour group, :data:`DARK_DISABLED` over them in the
        disabled group.
    """
    palette = QPalette()
    for role, colour in DARK_COLOURS.items():
        palette.setColor(role, QColor(colour))  # active, inactive and disabled alike
    for role, colour in DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


@dataclass(frozen=True)
class _Look:
    """The application's style (by name) and palettes before the dark interface."""

    style: str
    palette: QPalette
    tooltips: QPalette


_light: list[_Look] = []
"""The look the dark interface replaced, while it is on (one application, one look)."""


def _style_name(app: QApplication) -> str:
    """Return the name of the application's style, under its style sheet if it has one.

    A style sheet (``-stylesheet``) wraps the style in one without a name; taking the
    sheet off a moment unwraps it.
    """
    name = app.style().name()
    sheet = app.styleSheet()
    if name or not sheet:
        return name
    app.setStyleSheet("")
    name = app.style().name()
    app.setStyleSheet(sheet)
    return name


def _depth(widget: QWidget) -> int:
    """Return how many widgets `widget` lies in."""
    depth = 0
    while (widget := widget.parentWidget()) is not None:
        depth += 1
    return depth


def _repalette_style_sheet_widgets() -> None:
    """Give the application's palette to widgets that have or had a style sheet.

    Qt passes a palette change over them (``Qt::WA_StyleSheet``), even where the sheet
    was emptied again (a field's warning colour), and their children; the style set next
    polishes only those whose sheet sets colours of their own. Outer widgets first, so
    that each inherits the new palette.
    """
    styled = Qt.WidgetAttribute.WA_StyleSheet
    own_palette = Qt.WidgetAttribute.WA_SetPalette
    widgets = [
        widget
        for widget in QApplication.allWidgets()
        if widget.testAttribute(styled) and not widget.testAttribute(own_palette)
    ]
    for widget in sorted(widgets, key=_depth):
        widget.setPalette(QPalette())  # none of its own: the one it inherits, now


def dark_interface_on() -> bool:
    """Return whether the application shows the dark interface now."""
    return bool(_light)


def set_dark_interface(on: bool) -> None:
    """Show the application in the dark interface, or in the look it had before.

    Switching to dark keeps the style and palettes the application had (the
    platform's, or those of ``-style`` and Qt's other options); switching back restores
    them. Asking for the look shown changes nothing. The palette is set before the style:
    a widget with a style sheet (a warning's colour) takes no palette change, only the
    palette it has when the new style polishes it; and a palette the application had not
    set itself (the platform's) is left to the style to resolve, as at the start.

    Parameters
    ----------
    on : bool
        True for :data:`DARK_STYLE` with :func:`dark_palette`, False for the look before.
    """
    app = QApplication.instance()
    if on == dark_interface_on() or app is None:
        return
    if on:
        _light.append(_Look(_style_name(app), QPalette(app.palette()), QToolTip.palette()))
        palette = dark_palette()
        app.setPalette(palette)
        QToolTip.setPalette(palette)
        _repalette_style_sheet_widgets()
        app.setStyle(DARK_STYLE)
        return
    look = _light.pop()
    app.setPalette(look.palette)
    QToolTip.setPalette(look.tooltips)
    _repalette_style_sheet_widgets()
    app.setStyle(look.style)
