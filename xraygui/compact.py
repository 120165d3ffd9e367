"""Widgets that give way on small or scaled screens, so the window's minimum size fits them.

At 1280 x 720 with 150 % scaling the window has 853 x 480 logical pixels; the list
boxes' longest entries and the Denoise panel's height would need more.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QComboBox, QFrame, QScrollArea, QStyle, QStyleOptionComboBox, QWidget


class ShrinkingComboBox(QComboBox):
    """A list box as wide as its longest entry where there is room, narrower where not.

    Its minimum width shows `letters` letters; in a narrower place a longer entry is cut.

    Parameters
    ----------
    letters : int
        Letters (of the width of an "x") it shows at least.
    """

    def __init__(self, letters: int) -> None:
        super().__init__()
        self.setMinimumContentsLength(letters)

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
