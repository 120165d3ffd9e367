"""A number field that holds any float exactly and shows it in its shortest exact form."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from PySide6.QtCore import QEvent, QLocale, QObject, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QValidator,
)
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QLabel, QWidget

from core.noise.dose import READABLE_DIGITS

EXACT_DECIMALS = 17
"""Decimals the field keeps: enough for any float it holds to round-trip (Qt rounds to them)."""
WARNING_DARK_RED = "#a01010"
"""Warning text on a light window (about 7:1 against white)."""
WARNING_LIGHT_RED = "#ff6b6b"
"""Warning text on a dark window (dark red there is about 1.7:1)."""
INVALID_STYLE = f"color: {WARNING_DARK_RED}"
"""How a field shows text that is not a number it takes (kept, not taken), on a light window."""
INVALID_FRAME_WIDTH = 2
"""Width (px) of the frame round a field whose text is not taken: a cue besides colour."""
SHOWN_DIGITS = 5
"""Significant digits of a value shown rounded (:meth:`ExactSpinBox.set_shown_rounded`)."""
_NUMBER_CHARACTERS = frozenset("0123456789+-eE.,")
"""Characters of a number in some convention: text of these alone is kept while typed."""


@lru_cache
def _number(decimal_point: str, group_separator: str) -> re.Pattern[str]:
    """Match a number written with these separators; groups of three digits only."""
    point, group = re.escape(decimal_point), re.escape(group_separator)
    integer = rf"(\d+|[1-9]\d{{0,2}}({group}\d{{3}})+)"
    return re.compile(rf"[+-]?({integer}({point}\d*)?|{point}\d+)([eE][+-]?\d+)?")


def read_number(text: str, decimal_point: str = ".", group_separator: str = ",") -> float | None:
    """Read a number written in a locale's convention, exactly as Python reads the same digits.

    Parameters
    ----------
    text : str
        Typed or pasted text; spaces around it are ignored.
    decimal_point, group_separator : str
        The locale's separators. A group separator is read only between groups of
        three digits before the decimal point: with German separators ``"20.000"``
        is 20000 (as the locale and Qt's own fields read it), ``"4,5"`` is 4.5 and
        ``"4.5"`` is no number.

    Returns
    -------
    float or None
        The number; None where the text is none in this convention.
    """
    text = text.strip()
    if _number(decimal_point, group_separator).fullmatch(text) is None:
        return None
    return float(text.replace(group_separator, "").replace(decimal_point, "."))


def exact_text(value: float, decimal_point: str = ".") -> str:
    """Return the shortest text that reads back as exactly ``value`` (no ``.0`` on integers).

    Parameters
    ----------
    value : float
        The number.
    decimal_point : str
        The locale's decimal separator.

    Returns
    -------
    str
        ``"20000"``, ``"19899.395757682956"`` or ``"7.028520924838421"``, say
        (``"7,028520924838421"`` with a decimal comma).
    """
    text = repr(float(value))
    return (text[:-2] if text.endswith(".0") else text).replace(".", decimal_point)


def warning_colour(widget: QWidget | None = None) -> str:
    """Return a red that reads on the window colour of ``widget``'s palette.

    Parameters
    ----------
    widget : QWidget, optional
        The widget whose palette is read; the application's where None.

    Returns
    -------
    str
        :data:`WARNING_DARK_RED` on a light window, :data:`WARNING_LIGHT_RED` on a dark one.
    """
    palette = QApplication.palette() if widget is None else widget.palette()
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return WARNING_LIGHT_RED if dark else WARNING_DARK_RED


class WarningColour(QObject):
    """Keep warning labels in the red that reads on their container's palette.

    A label with a style sheet gets no palette-change event of its own, so the
    container's are watched (an event filter). The labels take the red of
    :func:`warning_colour` for the container at once and after
    each change of its palette.

    Parameters
    ----------
    container : QWidget
        The widget whose palette sets the red (a panel, a dialog); it owns the filter.
    labels : tuple of QLabel
        The warning labels it holds.
    style : str
        More style sheet declarations, such as ``"font-weight: bold"``; none if empty.
    """

    def __init__(self, container: QWidget, labels: tuple[QLabel, ...], style: str = "") -> None:
        super().__init__(container)
        self._container = container
        self._labels = labels
        self._style = f"; {style}" if style else ""
        self.recolour()
        container.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Recolour the labels on a palette change of the container; let every event through."""
        if event.type() == QEvent.Type.PaletteChange:
            self.recolour()
        return False

    def recolour(self) -> None:
        """Give the labels the red that reads on the container's palette now."""
        sheet = f"color: {warning_colour(self._container)}{self._style}"
        for label in self._labels:
            if label.styleSheet() != sheet:
                label.setStyleSheet(sheet)


def grouping(locale: QLocale) -> QLocale:
    """Return ``locale`` writing thousands separators (the C locale omits them by default).

    Parameters
    ----------
    locale : QLocale
        A widget's locale.

    Returns
    -------
    QLocale
        A copy that groups thousands: ``19,899`` in English and C, ``19.899`` in German.
    """
    grouped = QLocale(locale)
    grouped.setNumberOptions(locale.numberOptions() & ~QLocale.NumberOption.OmitGroupSeparator)
    return grouped


def whole_number_text(number: float, locale: QLocale) -> str:
    """Write ``number`` rounded to a whole one, thousands grouped (``"19,899"``).

    Parameters
    ----------
    number : float
        The number.
    locale : QLocale
        Writes it (:func:`grouping`).

    Returns
    -------
    str
    """
    return grouping(locale).toString(float(number), "f", 0)


def rounded_text(value: float, locale: QLocale, digits: int = SHOWN_DIGITS) -> str:
    """Write ``value`` to ``digits`` significant digits, thousands grouped, no exponent.

    Parameters
    ----------
    value : float
        The number.
    locale : QLocale
        Writes it (its group separator is used even where it omits it by default).
    digits : int
        Significant digits kept; trailing zeros after the decimal point are dropped.

    Returns
    -------
    str
        ``"19,916"`` for 19915.70484168069, ``"7.031"`` for 7.031021711734023,
        ``"1,000,000"`` for 1e6 (in English).
    """
    grouped = grouping(locale)
    exponent = math.floor(math.log10(abs(value))) if value else 0
    decimals = max(0, digits - 1 - exponent)
    text = grouped.toString(float(f"{value:.{digits}g}"), "f", decimals)
    if decimals:
        text = text.rstrip("0").removesuffix(grouped.decimalPoint())
    return text


def shown_percent(fraction: float, locale: QLocale) -> str:
    """Write a fraction of the dose in percent for the screen, in ``locale``.

    Parameters
    ----------
    fraction : float
        The dose as a fraction of the full dose.
    locale : QLocale
        Writes it, with its decimal separator: beside quanta grouped in the locale
        (``"12,5 % dose (19.899 quanta)"`` in German), a point would read as grouping.

    Returns
    -------
    str
        ``"12.5"`` for 0.125 in English, ``"12,5"`` in German: rounded as
        :func:`core.noise.dose.dose_percent` rounds for a person (``exact=False``).
        Records (descriptions, reports, file names) keep that function's point.
    """
    return rounded_text(fraction * 100, locale, READABLE_DIGITS)


class LocaleSpinBox(QDoubleSpinBox):
    """A :class:`QDoubleSpinBox` that reads typed text as :func:`read_number` does.

    Its text is written as a plain spin box writes it (its decimals, the locale's
    decimal separator, any prefix and suffix). Typed text is read in the field's
    locale by the rule of :func:`read_number`: a group separator only between groups
    of three digits, so that in German ``"0,5"`` is 0.5, ``"20.000"`` is 20000 and
    ``"0.5"`` is no number (a plain spin box reads it as 5, its point dropped as a
    thousands separator). No typed character is dropped: text that is no number in
    range is kept, shown in red inside a frame, with an accessible description that
    names the range (:meth:`range_text`), and not taken; it stays when the field loses
    the focus, and Enter (with a beep) leaves it to be corrected rather than accepting
    a dialog or a wizard page with the field's last value. Typed text is taken on Enter
    or when the focus leaves (no keyboard tracking), never a prefix of it (``"2"`` of
    ``"2,5"``) while the rest is typed; :meth:`typed_value` takes it where a command
    reads the field without the focus leaving it. An arrow key steps from the number
    shown. A number with more decimals than the field keeps is rounded to them, as a
    plain spin box rounds a value it is given.

    Parameters
    ----------
    parent : QWidget, optional
        The parent widget.
    **properties
        Qt properties set on the field, as a plain spin box takes them
        (``decimals=2, minimum=0.1, prefix="x "``, say).
    """

    def __init__(self, parent: QWidget | None = None, **properties: object) -> None:
        super().__init__(parent, **properties)
        self.setKeyboardTracking(False)
        self.lineEdit().textChanged.connect(self._mark_invalid)
        self._mark_invalid()

    def typed_value(self) -> float:
        """Take a number in range typed but not yet entered, and return the value.

        Returns
        -------
        float
            The typed number; the last value taken where the text is none (it stays, red).
        """
        if self.hasAcceptableInput():
            self.interpretText()
        return self.value()

    def range_text(self) -> str:
        """Say what the field takes, in its locale: ``"a number from 0.5 to 100 %"``."""
        low, high = (
            rounded_text(limit, self.locale()) for limit in (self.minimum(), self.maximum())
        )
        return f"a number from {low} to {high}{self.suffix()}"

    def setValue(self, value: float) -> None:  # noqa: N802 (Qt's name)
        """Set the value; its text replaces any red text (Qt writes it with signals blocked)."""
        super().setValue(value)
        self._mark_invalid()

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        """Step from the number the text shows (clamped into range), or keep text that is none.

        Qt would step from the last value taken and drop red text that reads as a
        number out of range; text that is no number at all is kept as typed.
        """
        if not self.hasAcceptableInput():
            number = read_number(self._number_text(self.lineEdit().text()), *self._separators())
            if number is None:
                return
            self.setValue(min(max(number, self.minimum()), self.maximum()))
        super().stepBy(steps)
        self._mark_invalid()

    def _separators(self) -> tuple[str, str]:
        locale = self.locale()
        return locale.decimalPoint(), locale.groupSeparator()

    def _number_text(self, text: str) -> str:
        """Return ``text`` without the field's prefix and suffix."""
        return text.removeprefix(self.prefix()).removesuffix(self.suffix())

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        """Read typed text as :func:`read_number` does (the current value where it is none)."""
        number = read_number(self._number_text(text), *self._separators())
        return self.value() if number is None else number

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Accept a number in range; keep other text of number characters; refuse the rest.

        Spaces around a number and the locale's thousands separators ("19,899",
        pasted from a label) are read; text of digits, signs, exponents and
        separators that is no number in range yet (``"4,5"`` in English, ``"4.5"``
        in German, ``"1,5"`` on its way to ``"1,500"``) is Intermediate, so that no
        typed character is silently dropped; other characters are Invalid.
        """
        number_text = self._number_text(text)
        number = read_number(number_text, *self._separators())
        if number is not None and self.minimum() <= number <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        allowed = _NUMBER_CHARACTERS.union(self._separators())
        if all(ch in allowed or ch.isspace() for ch in number_text):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos

    def fixup(self, text: str) -> str:
        """Leave text that is not a number as it is (Qt's would drop its group separators)."""
        return text

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        """Keep text that is no number in range (Qt would put the last value back)."""
        kept = None if self.hasAcceptableInput() else self.lineEdit().text()
        super().focusOutEvent(event)
        if kept is not None:
            self.lineEdit().setText(kept)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Take Enter only on a number in range; otherwise it neither reverts nor accepts."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not self.hasAcceptableInput():
            event.accept()  # not passed on to the dialog's default button
            QApplication.beep()  # the frame and the description say why
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """Give text that is not taken a red that reads on a new palette."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._mark_invalid()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        """Draw the field, framed in the warning colour while its text is not taken."""
        super().paintEvent(event)
        if self.hasAcceptableInput():
            return
        painter = QPainter(self)
        painter.setPen(QPen(QColor(warning_colour(self)), INVALID_FRAME_WIDTH))
        half = INVALID_FRAME_WIDTH / 2
        painter.drawRect(QRectF(self.rect()).adjusted(half, half, -half, -half))
        painter.end()

    def _mark_invalid(self) -> None:
        valid = self.hasAcceptableInput()
        sheet = "" if valid else f"color: {warning_colour(self)}"
        if self.lineEdit().styleSheet() != sheet:
            self.lineEdit().setStyleSheet(sheet)
        # Read out with the field's name; an empty one gives the tooltip back.
        description = "" if valid else f"Not taken: enter {self.range_text()}"
        if self.accessibleDescription() != description:
            self.setAccessibleDescription(description)
        self.update()  # the frame


class ExactSpinBox(LocaleSpinBox):
    """A :class:`LocaleSpinBox` that keeps every digit typed, e.g. a report's recorded value.

    A plain spin box rounds to its decimals and pads them with zeros; this one
    shows a value as :func:`exact_text` writes it and reads typed text as
    :class:`LocaleSpinBox` does, in the field's locale (a decimal comma in German,
    where a point only groups thousands: ``"20.000"`` is 20000), so a number
    copied from a simulation's description is entered exactly (with the locale's
    decimal separator in place of the description's point). Text that is no number
    in range is kept, marked and not taken, and typed text is taken on Enter or when
    the focus leaves, as in :class:`LocaleSpinBox`.

    Parameters
    ----------
    minimum, maximum, value : float
        The range and the initial value.
    parent : QWidget, optional
        The parent widget.
    """

    _rounded = False  # shown rounded (set_shown_rounded); Qt writes text before __init__ ends

    def __init__(
        self, *, minimum: float, maximum: float, value: float, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setDecimals(EXACT_DECIMALS)
        self.setRange(minimum, maximum)
        self.setValue(value)

    def set_shown_rounded(self, rounded: bool) -> None:
        """Show the value rounded (:func:`rounded_text`) or exactly; the value stays exact.

        For a field that only shows a value (a measured one, the field disabled): all its
        digits would be noise beside the same value rounded. Its text is not read back
        while it is rounded; typed text is read as ever once it shows exactly again.

        Parameters
        ----------
        rounded : bool
            Whether to show :data:`SHOWN_DIGITS` significant digits, grouped.
        """
        if rounded != self._rounded:
            self._rounded = rounded
            self.setValue(self.value())  # rewrites the text

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        """Show ``value`` as :func:`exact_text` does, or rounded (:meth:`set_shown_rounded`)."""
        if self._rounded:
            return rounded_text(value, self.locale())
        return exact_text(value, self._separators()[0])
