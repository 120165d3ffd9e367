"""Widgets that give way on small or scaled screens, so the window's minimum size fits them.

At 1280 x 720 with 150 % scaling the window has 853 x 480 logical pixels; the list
boxes' longest entries and the Denoise panel's height would need more.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QScrollArea,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)


class ShrinkingComboBox(QComboBox):
    """A list box as wide as its longest entry where there is room, narrower where not.

    Its minimum width shows `letters` letters; in a narrower place a longer entry ends
    in an ellipsis ("Denoising st\u2026"), and the tooltip starts with the whole entry.

    Parameters
    ----------
    letters : int
        Letters (of the width of an "x") it shows at least.
    """

    def __init__(self, letters: int) -> None:
        super().__init__()
        self._tip = ""  # what setToolTip was given; the tooltip adds the current entry
        self.setMinimumContentsLength(letters)
        self.currentIndexChanged.connect(self._show_tip)

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt's name)
        """Set what the list box is for; the tooltip shows the current entry above it."""
        self._tip = tip
        self._show_tip()

    def _show_tip(self) -> None:
        current = self.currentText()
        parts = [current, self._tip] if current and self._tip else [current or self._tip]
        super().setToolTip("\n\n".join(parts))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        """Draw the box as Qt does, its text elided at the right where it is too long."""
        painter = QStylePainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox,
            option,
            QStyle.SubControl.SC_ComboBoxEditField,
            self,
        )
        room = field.width() - 2  # Qt's styles draw the text 1 px in from each side
        if not option.currentIcon.isNull():
            room -= option.iconSize.width() + 4  # as Qt's styles place an icon before it
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, max(room, 0)
        )
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def minimumSizeHint(self) -> QSize:  # noqa: D102 (Qt override)
        hint = super().minimumSizeHint()  # as wide as the longest entry
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        metrics = self.fontMetrics()
        text = QSize(metrics.horizontalAdvance("x") * self.minimumContentsLength(), hint.height())
        least = self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, text, self)
        return QSize(min(hint.width(), least.width()), hint.height())


class VerticalScroll(QScrollArea):
    """Scrolls a panel up and down where the window is too short for it, never sideways.

    Its minimum width is the panel's, so the panel is never cut at the side.

    Parameters
    ----------
    panel : QWidget
        What it shows, e.g. the Denoise panel.
    """

    def __init__(self, panel: QWidget) -> None:
        super().__init__()
        self.setWidget(panel)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the panel's fields

    def minimumSizeHint(self) -> QSize:  # noqa: D102 (Qt override)
        bar = self.verticalScrollBar().sizeHint().width()
        width = self.widget().minimumSizeHint().width() + bar + 2 * self.frameWidth()
        return QSize(width, super().minimumSizeHint().height())
